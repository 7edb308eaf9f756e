import { buildReport, formatReportJson, formatReportTable } from './doctor-report';
import { exitCodeOf, ok, problem, skip } from './host-check';

const checks = [
  ok('docker', 'Docker engine', 'Docker 27.5.1 at unix:///var/run/docker.sock'),
  problem('preload-images', 'preload images', 'warn', '3 of 214 images missing', 'npm run images:pull'),
  problem('kind', 'kind', 'fail', 'not on PATH (needed: v0.27.0 or later)', 'curl -Lo /tmp/kind …'),
  skip('runner', 'AIOpsLab runner', 'RUNNER_PREFLIGHT=false'),
];

describe('the doctor report', () => {
  it('prints a row per check, then the fixes with failures first, then the counts', () => {
    const text = formatReportTable(buildReport(checks, 2));
    expect(text).toContain('planned for 2 Kind workers');
    expect(text).toMatch(/FAIL\s+kind\s+not on PATH/);
    expect(text).toMatch(/skip\s+AIOpsLab runner\s+RUNNER_PREFLIGHT=false/);
    expect(text.indexOf('FAIL kind:')).toBeLessThan(text.indexOf('WARN preload images:'));
    expect(text).toContain('    npm run images:pull');
    expect(text).toContain('1 failed, 1 warnings, 1 ok, 1 skipped');
  });

  it('as JSON, carries every check with its fix and the summary', () => {
    const parsed = JSON.parse(formatReportJson(buildReport(checks, 1)));
    expect(parsed.ok).toBe(false);
    expect(parsed.summary).toEqual({ ok: 1, warn: 1, fail: 1, skip: 1 });
    expect(parsed.checks[2]).toEqual({ id: 'kind', name: 'kind', status: 'fail', detail: 'not on PATH (needed: v0.27.0 or later)', fix: 'curl -Lo /tmp/kind …' });
  });

  it('exits 1 only when a check failed; warnings and skips exit 0', () => {
    expect(exitCodeOf(checks)).toBe(1);
    expect(exitCodeOf(checks.filter((c) => c.status !== 'fail'))).toBe(0);
  });
});
