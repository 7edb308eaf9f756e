import { ConfigError } from '@aiopslab/shared/config/load-config';
import { loadDoctorSettings } from './doctor-config';

describe('loadDoctorSettings', () => {
  it('plans one worker and checks every registry agent by default, as warnings', () => {
    const { plan, worker } = loadDoctorSettings({});
    expect(plan).toMatchObject({ workers: 1, agentsChosen: false, inotifyDir: '/proc/sys/fs/inotify', runnerTimeoutMs: 120_000 });
    expect(plan.agents).toEqual(['gpt', 'qwen', 'deepseek', 'vllm', 'openrouter', 'generic']);
    expect(worker.valid).toBe(true);
  });

  it('takes the chosen agents from DOCTOR_AGENTS', () => {
    const { plan } = loadDoctorSettings({ DOCTOR_AGENTS: 'gpt, deepseek', DOCTOR_WORKERS: '4' });
    expect(plan).toMatchObject({ workers: 4, agents: ['gpt', 'deepseek'], agentsChosen: true });
  });

  it('rejects a bad DOCTOR_WORKERS or an unknown agent, naming the variable', () => {
    expect(() => loadDoctorSettings({ DOCTOR_WORKERS: '0' })).toThrow(/DOCTOR_WORKERS/);
    expect(() => loadDoctorSettings({ DOCTOR_AGENTS: 'gpt,claude' })).toThrow(ConfigError);
    expect(() => loadDoctorSettings({ DOCTOR_AGENTS: 'gpt,claude' })).toThrow(/unknown agents: claude \(registry agents: gpt, qwen/);
  });

  it("reports the worker's own invalid setting as a finding, with the worker loader's message", () => {
    const { worker } = loadDoctorSettings({ CLUSTER_PROVIDER: 'kind', WORK_DIR: '', RUNNER_COMMAND: './relative-runner' });
    expect(worker).toEqual({ valid: false, error: expect.stringContaining('RUNNER_COMMAND') });
  });
});
