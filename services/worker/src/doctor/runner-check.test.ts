import { checkRunner } from './runner-check';

const command = '/app/services/worker/runner/bin/aiopslab-runner';

describe('checkRunner', () => {
  it('passes when the runner listed problems', () => {
    const check = checkRunner({ listed: true, problems: 87, unsupported: 2, source: 'aiopslab@ddf7e40' }, command);
    expect(check).toMatchObject({ status: 'ok', detail: '--list-problems listed 87 problems (2 unsupported) from aiopslab@ddf7e40' });
  });

  it('is skipped when the worker runs no preflight either', () => {
    expect(checkRunner(null, command).status).toBe('skip');
  });

  it('gives the setting when the runner cannot start', () => {
    const check = checkRunner({ listed: false, error: 'cannot start the runner: spawn /bin/sh ENOENT' }, command);
    expect(check.fix).toContain('RUNNER_COMMAND');
  });

  it('gives the timeout setting when listing takes too long', () => {
    const check = checkRunner({ listed: false, error: 'the runner did not list its problems within 120000 ms' }, command);
    expect(check.fix).toContain('DOCTOR_RUNNER_TIMEOUT_SECONDS');
  });

  it('when AIOpsLab does not import, shows how to see the runner\'s own error', () => {
    const check = checkRunner({ listed: false, error: 'the runner wrote no problems line on the protocol fd (exit 1: AIOpsLabNotFound)' }, command);
    expect(check.status).toBe('fail');
    expect(check.fix).toContain(`PROTOCOL_FD=3 ${command} --list-problems`);
  });
});
