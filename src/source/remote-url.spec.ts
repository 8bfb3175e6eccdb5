import { describe, expect, it } from 'vitest';
import { parseRemoteUrl, scrubText } from './remote-url';

describe('parseRemoteUrl', () => {
  it.each([
    ['https://git.example.com/shop/config.git', 'https', 'git.example.com'],
    ['HTTPS://git.example.com:8443/config', 'https', 'git.example.com'],
    ['ssh://git@git.example.com:2222/shop/config.git', 'ssh', 'git.example.com'],
    ['git+ssh://git@git.example.com/shop/config.git', 'ssh', 'git.example.com'],
    ['git@github.com:shop/config.git', 'ssh', 'github.com'],
    ['github.com:shop/config.git', 'ssh', 'github.com'],
    ['git://git.example.com/config.git', 'git', 'git.example.com'],
    ['file:///srv/git/config.git', 'file', null],
    ['/srv/git/config with space.git', 'file', null],
  ])('accepts %s as %s', (url, protocol, host) => {
    expect(parseRemoteUrl(url)).toMatchObject({ url, protocol, host });
  });

  it.each([
    ['ext::sh -c touch% /tmp/pwned', /transport helper/],
    ['fd::17', /transport helper/],
    ['-uploadpack=touch /tmp/x', /may not start with '-'/],
    ['--upload-pack=evil', /may not start with '-'/],
    ['http://git.example.com/config.git', /plain http is refused/],
    ['ftp://git.example.com/config.git', /ftp:\/\/ is not allowed/],
    ['constructor://x/y', /not allowed/],
    ['https://user:hunter2@git.example.com/config.git', /carries a password/],
    ['https://token@git.example.com/config.git', /carries a user name/],
    ['git://user@git.example.com/config.git', /carries a user name/],
    ['ssh://git:hunter2@git.example.com/config.git', /carries a password/],
    ['git:hunter2@git.example.com:config.git', /carries a password/],
    ['relative/path.git', /absolute path/],
    ['https://git.example.com/a\nb', /control characters/],
    ['https:///no-host', /has no host/],
    ['ssh:///no-host', /has no host/],
    ['', /1 to 2000/],
  ])('refuses %j', (url, why) => {
    expect(() => parseRemoteUrl(url)).toThrow(why);
  });

  it('refuses an overlong URL', () => {
    expect(() => parseRemoteUrl(`https://example.com/${'a'.repeat(2000)}`)).toThrow(/1 to 2000/);
  });

  it('never repeats a password from a refused URL', () => {
    for (const url of ['https://user:hunter2@git.example.com/c.git', 'git:hunter2@host:c.git', 'ssh://git:hunter2@host/c.git']) {
      const message = (() => {
        try {
          parseRemoteUrl(url);
          return 'accepted';
        } catch (err) {
          return (err as Error).message;
        }
      })();
      expect(message).not.toContain('hunter2');
      expect(message).toContain('***@');
    }
  });
});

describe('scrubText', () => {
  it('removes the userinfo of every URL and every given secret, raw or percent-encoded', () => {
    const text = "fatal: unable to access 'https://bot:s3cr%2Bt@host/x.git/': s3cr+t and ssh://git@host/y and s3cr+t again";
    expect(scrubText(text, ['s3cr+t'])).toBe("fatal: unable to access 'https://***@host/x.git/': *** and ssh://***@host/y and *** again");
  });

  it('ignores empty secrets', () => {
    expect(scrubText('nothing here', [''])).toBe('nothing here');
  });
});
