import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { managementApi } from '../../support/test-services';

/** The three-node cluster of scripts/rabbitmq-cluster.sh, as the fault scenarios drive it. */
const run = promisify(execFile);
const SCRIPT = path.resolve(__dirname, '../../../scripts/rabbitmq-cluster.sh');

export type ClusterNode = 'a' | 'b' | 'c';
export const CLUSTER_NODES: ClusterNode[] = ['a', 'b', 'c'];
export const amqpPort = (node: ClusterNode) => 5701 + CLUSTER_NODES.indexOf(node);
export const managementUrl = (node: ClusterNode) => `http://guest:guest@127.0.0.1:${15701 + CLUSTER_NODES.indexOf(node)}`;
export const erlangNode = (node: ClusterNode) => `rabbit-${node}@localhost`;
/** AMQP_URL listing the three nodes, a first. */
export const CLUSTER_AMQP_URL = CLUSTER_NODES.map((node) => `amqp://guest:guest@127.0.0.1:${amqpPort(node)}`).join(',');

export async function cluster(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [SCRIPT, ...args], { timeout: 240_000 });
  return stdout;
}

export interface BrokerConnection {
  name: string;
  node: string;
}

/** The client connections the cluster holds, as one surviving node's management API lists them. */
export async function clusterConnections(via: ClusterNode): Promise<BrokerConnection[]> {
  const res = await managementApi('/api/connections?columns=name,node,client_properties.connection_name', {}, managementUrl(via));
  const rows = (await res.json()) as { node: string; client_properties?: { connection_name?: string } }[];
  return rows.map((row) => ({ name: row.client_properties?.connection_name ?? '', node: row.node }));
}

/** The quorum queues of one prefix with their member nodes and leader. */
export async function quorumQueues(via: ClusterNode, prefix: string): Promise<{ name: string; type: string; leader?: string; members?: string[] }[]> {
  const res = await managementApi('/api/queues/%2F?columns=name,type,leader,members', {}, managementUrl(via));
  const rows = (await res.json()) as { name: string; type: string; leader?: string; members?: string[] }[];
  return rows.filter((q) => q.name.startsWith(prefix));
}
