import { BlockList, isIP } from 'node:net';

import { UsageError } from '../../core/errors.js';
import type { SwarmNode } from './swarm-types.js';

/**
 * Swarm placement constraints (`--constraint`, the same syntax as `docker service create
 * --constraint`), parsed and matched as swarmkit's manager/constraint package does, so preflight
 * checks exactly the nodes the scheduler may pick.
 */
export interface Constraint {
  text: string;
  key: string;
  equal: boolean;
  value: string;
}

const KEY = /^[a-z_][a-z0-9\-_.]+$/i;
const VALUE = /^[a-z0-9:\-_\s.*()?+[\]\\^$|/]+$/i;
const NODE_LABEL = 'node.labels.';
const ENGINE_LABEL = 'engine.labels.';

export function parseConstraint(text: string): Constraint {
  // swarmkit tries "==" before "!=", whichever the text contains.
  const operator = text.includes('==') ? '==' : text.includes('!=') ? '!=' : null;
  if (operator === null) throw new UsageError(`--constraint ${JSON.stringify(text)} has no == or !=: write it like node.labels.pool==ci or node.role!=manager`);
  const at = text.indexOf(operator);
  const key = text.slice(0, at).trim();
  const value = text.slice(at + 2).trim();
  if (!KEY.test(key)) throw new UsageError(`--constraint ${JSON.stringify(text)}: the key ${JSON.stringify(key)} is not valid`);
  if (!VALUE.test(value)) throw new UsageError(`--constraint ${JSON.stringify(text)}: the value ${JSON.stringify(value)} is not valid`);
  if (!knownKey(key)) {
    throw new UsageError(`--constraint ${JSON.stringify(text)}: ${key} is not one of node.id, node.hostname, node.ip, node.role, node.platform.os, node.platform.arch, node.labels.NAME, engine.labels.NAME`);
  }
  return { text, key, equal: operator === '==', value };
}

function knownKey(key: string): boolean {
  const k = key.toLowerCase();
  return ['node.id', 'node.hostname', 'node.ip', 'node.role', 'node.platform.os', 'node.platform.arch'].includes(k)
    || (k.length > NODE_LABEL.length && k.startsWith(NODE_LABEL))
    || (k.length > ENGINE_LABEL.length && k.startsWith(ENGINE_LABEL));
}

/** Whether a node satisfies every constraint. */
export function nodeMatches(constraints: Constraint[], node: SwarmNode): boolean {
  return constraints.every((c) => matches(c, node));
}

function matches(c: Constraint, node: SwarmNode): boolean {
  const key = c.key.toLowerCase();
  if (key === 'node.ip') return ipMatches(c, node.Status.Addr ?? '');
  const actual = (() => {
    if (key === 'node.id') return node.ID;
    if (key === 'node.hostname') return node.Description?.Hostname ?? '';
    if (key === 'node.role') return node.Spec.Role ?? '';
    if (key === 'node.platform.os') return node.Description?.Platform?.OS ?? '';
    if (key === 'node.platform.arch') return node.Description?.Platform?.Architecture ?? '';
    // Label names are case-sensitive; their values, like every value, compare case-insensitively.
    if (key.startsWith(NODE_LABEL)) return node.Spec.Labels?.[c.key.slice(NODE_LABEL.length)] ?? '';
    return node.Description?.Engine?.Labels?.[c.key.slice(ENGINE_LABEL.length)] ?? '';
  })();
  return (actual.toLowerCase() === c.value.toLowerCase()) === c.equal;
}

/** node.ip: one address, or a CIDR subnet; a malformed one matches no node. */
function ipMatches(c: Constraint, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  const [net, prefix] = c.value.split('/');
  const netFamily = isIP(net ?? '');
  if (netFamily === 0) return false;
  if (prefix === undefined) list.addAddress(net!, netFamily === 4 ? 'ipv4' : 'ipv6');
  else if (/^\d+$/.test(prefix)) list.addSubnet(net!, Number(prefix), netFamily === 4 ? 'ipv4' : 'ipv6');
  else return false;
  return list.check(address, type) === c.equal;
}
