import { guardedAddress, refusal } from '../../../services/address-guard';

describe('the address guard of service checks', () => {
  it('always refuses link-local addresses, also IPv4-mapped and with private addresses allowed', () => {
    for (const a of ['169.254.169.254', '169.254.0.1', 'fe80::1', '::ffff:169.254.169.254']) {
      expect(refusal(a, true)).toMatch(/link-local/);
    }
  });

  it('refuses loopback and private ranges unless CO_SERVICES_ALLOW_PRIVATE is set', () => {
    for (const a of [
      '127.0.0.1',
      '::1',
      '10.1.2.3',
      '172.16.0.9',
      '192.168.1.1',
      '100.64.0.1',
      'fd00::1',
      '0.0.0.0',
    ]) {
      expect(refusal(a, false)).toMatch(/CO_SERVICES_ALLOW_PRIVATE=true/);
      expect(refusal(a, true)).toBeUndefined();
    }
    expect(refusal('93.184.215.14', false)).toBeUndefined();
    expect(refusal('2606:4700::1111', false)).toBeUndefined();
    expect(refusal('224.0.0.1', true)).toMatch(/multicast/);
  });

  it('resolves a name first and judges what it resolves to', async () => {
    await expect(guardedAddress('localhost', false)).rejects.toThrow(/localhost resolves to .* loopback/);
    await expect(guardedAddress('localhost', true)).resolves.toMatchObject({ address: expect.any(String) });
    await expect(guardedAddress('[fe80::1]', true)).rejects.toThrow(/link-local/);
    await expect(guardedAddress('no-such-host.invalid', true)).rejects.toThrow(/cannot resolve/);
  });
});
