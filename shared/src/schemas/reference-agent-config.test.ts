import { createAjv } from './validator';
import { agentConfigSchema } from './task-submission';

describe('agent_config kind reference', () => {
  const validate = createAjv().compile(agentConfigSchema);

  it('accepts the two built-in reference agents by name', () => {
    expect(validate({ kind: 'reference', name: 'do_nothing' })).toBe(true);
    expect(validate({ kind: 'reference', name: 'constant_yes' })).toBe(true);
  });

  it('rejects an unknown reference agent and fields a reference agent does not take', () => {
    expect(validate({ kind: 'reference', name: 'oracle' })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/name', keyword: 'enum', params: { allowedValues: ['do_nothing', 'constant_yes'] } });
    expect(validate({ kind: 'reference', name: 'do_nothing', actions: ['submit()'] })).toBe(false);
  });
});
