import dns from 'node:dns';
import net from 'node:net';

/**
 * Service checks and code-host calls (the API's and the worker's: this module is shared, so it
 * lives in services/, with no Express) connect somewhere a project maintainer chose. The guard
 * resolves the name first and judges every address it resolves to, so a DNS name cannot smuggle
 * a metadata or internal address past it, and the check then connects to the address it judged
 * (no second lookup that could answer differently).
 */

const linkLocal = new net.BlockList();
linkLocal.addSubnet('169.254.0.0', 16, 'ipv4');
linkLocal.addSubnet('fe80::', 10, 'ipv6');

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const privateRanges = new net.BlockList();
for (const [net4, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
] as const)
  privateRanges.addSubnet(net4, bits, 'ipv4');
privateRanges.addSubnet('fc00::', 7, 'ipv6');
privateRanges.addAddress('::', 'ipv6');

/** Addresses no check may ever reach (broadcast, multicast, reserved). */
const unroutable = new net.BlockList();
unroutable.addSubnet('224.0.0.0', 3, 'ipv4');
unroutable.addSubnet('ff00::', 8, 'ipv6');

export class AddressRefused extends Error {
  override name = 'AddressRefused';
}

/** `::ffff:169.254.169.254` is 169.254.169.254. */
function normalize(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: net.isIPv6(address) ? 'ipv6' : 'ipv4' };
}

/** Why an address may not be reached, or undefined when it may. */
export function refusal(address: string, allowPrivate: boolean): string | undefined {
  const { address: a, family } = normalize(address);
  if (linkLocal.check(a, family)) {
    return `${address} is a link-local address (cloud metadata services live there); it is never reached`;
  }
  if (unroutable.check(a, family)) return `${address} is a multicast or reserved address`;
  if (!allowPrivate && loopback.check(a, family)) {
    return `${address} is a loopback address; set CO_SERVICES_ALLOW_PRIVATE=true to allow it`;
  }
  if (!allowPrivate && privateRanges.check(a, family)) {
    return `${address} is a private address; set CO_SERVICES_ALLOW_PRIVATE=true to allow it`;
  }
  return undefined;
}

/** Resolves a host name and returns the one address to connect to; AddressRefused when any resolved address is refused. */
export async function guardedAddress(
  host: string,
  allowPrivate: boolean,
): Promise<{ address: string; family: 4 | 6 }> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  if (net.isIP(bare)) addresses = [{ address: bare, family: net.isIP(bare) }];
  else {
    try {
      addresses = await dns.promises.lookup(bare, { all: true, verbatim: true });
    } catch (err) {
      throw new AddressRefused(`cannot resolve ${bare}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  }
  if (addresses.length === 0) throw new AddressRefused(`${bare} resolves to no address`);
  for (const a of addresses) {
    const why = refusal(a.address, allowPrivate);
    if (why) throw new AddressRefused(bare === a.address ? why : `${bare} resolves to ${why}`);
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
