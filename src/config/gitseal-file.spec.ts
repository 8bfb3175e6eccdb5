import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.schema';
import { loadGitsealFile } from './gitseal-file';

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitseal-cfg-'));
  const path = join(dir, 'gitseal.yaml');
  writeFileSync(path, text);
  return path;
}

describe('loadGitsealFile', () => {
  it('reads repositories with defaults and resolves paths against the file', () => {
    const path = file(`
trust: trust.yaml
policies: ./policies
repositories:
  - id: shop-config
    url: https://git.example.com/shop/config.git
    manifestPath: ./deploy/
    credentials: { username: gitseal, passwordEnv: SHOP_TOKEN }
    webhook: { secretEnv: SHOP_HOOK }
  - id: local
    url: ../repos/local.git
`);
    const cfg = loadGitsealFile(path);
    expect(cfg.trustFile).toBe(join(path, '..', 'trust.yaml'));
    expect(cfg.repositories[0]).toMatchObject({ id: 'shop-config', branch: 'main', manifestPath: 'deploy', mode: 'strict', pollIntervalSeconds: 60 });
    expect(cfg.repositories[1].url).toBe(join(path, '..', '..', 'repos', 'local.git'));
    expect(cfg.repositories[1].manifestPath).toBe('');
  });

  it.each([
    ['repositories: [{ id: Shop, url: x }]', /repositories\[0\]\.id must be lower-case/],
    ['repositories: [{ id: a, url: x, branch: "-x" }]', /branch is not a valid branch name/],
    ['repositories: [{ id: a, url: x, token: abc }]', /Unrecognized key/],
    ['repositories: [{ id: a, url: x }, { id: a, url: y }]', /ids must be unique/],
    ['repositories: [{ id: a, url: x, credentials: { sshKeyFile: k } }]', /knownHostsFile/],
    ['repositories: [{ id: a, url: x, manifestPath: ../etc }]', /must be a relative folder/],
    ['policies: p\npolicyBundle: b', /not both/],
    ['repositories: [ { id: a', /not valid YAML/],
  ])('refuses %s with one line naming the field', (text, message) => {
    const path = file(text);
    expect(() => loadGitsealFile(path)).toThrow(ConfigError);
    expect(() => loadGitsealFile(path)).toThrow(message);
  });

  it('refuses a missing file clearly', () => {
    expect(() => loadGitsealFile('/nonexistent/gitseal.yaml')).toThrow(/cannot be read \(ENOENT\)/);
  });
});
