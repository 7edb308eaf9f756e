import { namePrefix, topologyNames } from './topology';

describe('topology names and QUEUE_PREFIX', () => {
  it('when the prefix does not end in a separator, a "." is put between it and every name', () => {
    const topology = topologyNames('newcomer-demo');
    expect(topology.prefix).toBe('newcomer-demo.');
    expect(topology.queues.history).toBe('newcomer-demo.status-history');
    expect(topology.queues.dispatch).toBe('newcomer-demo.tasks.dispatch');
    expect(topology.exchanges.events).toBe('newcomer-demo.task.events');
    expect(topology.exchanges.callbackFilter).toBe('newcomer-demo.task.callbacks.filter');
    expect(topology.controlQueue('w1')).toBe('newcomer-demo.task.control.w1');
  });

  it.each(['t42_', 'team-a.', 'team-b-', 'tenant:'])('a prefix that already ends in a separator (%s) is used as it is', (prefix) => {
    expect(namePrefix(prefix)).toBe(prefix);
    expect(topologyNames(prefix).queues.history).toBe(`${prefix}status-history`);
  });

  it('no prefix gives the bare names (deploy/rabbitmq/definitions.json)', () => {
    const topology = topologyNames('');
    expect(topology.prefix).toBe('');
    expect(topology.queues.history).toBe('status-history');
    expect(topologyNames().exchanges.tasks).toBe('tasks');
  });

  it('routing keys carry no prefix', () => {
    const topology = topologyNames('demo');
    expect(topology.routing.dispatch).toBe('dispatch');
    expect(topology.eventRoutingKey('completed')).toBe('task.completed');
  });

  it('every exchange and queue name starts with the prefix and its separator', () => {
    const topology = topologyNames('x');
    for (const name of [...Object.values(topology.exchanges), ...Object.values(topology.queues)]) expect(name).toMatch(/^x\.[a-z]/);
  });
});
