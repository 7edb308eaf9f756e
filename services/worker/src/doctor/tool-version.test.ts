import { compareVersions, formatVersion, parseToolVersion } from './tool-version';

describe('parseToolVersion', () => {
  it.each([
    ['kind v0.27.0 go1.23.4 linux/amd64', 'v0.27.0'],
    ['Client Version: v1.32.3\nKustomize Version: v5.5.0', 'v1.32.3'],
    ['Client Version: version.Info{Major:"1", Minor:"18", GitVersion:"v1.18.1", GitCommit:"7879fc"}', 'v1.18.1'],
    ['v3.17.3+ge4da497', 'v3.17.3'],
  ])('reads the version in %j', (output, expected) => {
    const version = parseToolVersion(output);
    expect(version && formatVersion(version)).toBe(expected);
  });

  it('returns null when the output holds no version', () => {
    expect(parseToolVersion('command not understood')).toBeNull();
  });
});

describe('compareVersions', () => {
  it('orders by major, then minor, then patch', () => {
    const v = (text: string) => parseToolVersion(text)!;
    expect(compareVersions(v('0.27.0'), v('0.26.9'))).toBeGreaterThan(0);
    expect(compareVersions(v('1.31.0'), v('1.31.0'))).toBe(0);
    expect(compareVersions(v('1.9.0'), v('1.31.0'))).toBeLessThan(0);
    expect(compareVersions(v('3.0.0'), v('2.99.99'))).toBeGreaterThan(0);
  });
});
