import { spawn } from 'node:child_process';
import { VerificationException } from './verification.exception';

/**
 * The local `gpg`, used ONLY by `gitseal approve` to clear-sign with the user's own key (the
 * service never runs gpg). gpg may ask for a passphrase through its agent's pinentry.
 */
export interface ClearSigner {
  clearSign(text: string, keyId: string | null): Promise<string>;
}

export class GpgSigner implements ClearSigner {
  constructor(
    private readonly program: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly timeoutMs = 5 * 60_000,
  ) {}

  clearSign(text: string, keyId: string | null): Promise<string> {
    if (keyId !== null && !/^[^\s-][^\s]{0,255}$/.test(keyId)) {
      return Promise.reject(new VerificationException('approval-usage', `not a key id: ${JSON.stringify(keyId)}`));
    }
    const args = ['--clearsign', '--armor', ...(keyId ? ['--local-user', keyId] : [])];
    return new Promise((resolve, reject) => {
      const child = spawn(this.program, args, { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), this.timeoutMs);
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => {
        if (err.length < 8192) err += b.toString('utf8');
      });
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(failure(`cannot run ${this.program}: ${e.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const signed = Buffer.concat(out).toString('utf8');
        if (code === 0 && signed.startsWith('-----BEGIN PGP SIGNED MESSAGE-----')) return resolve(signed);
        const why = signal ? `killed (${signal})` : `exit ${code}`;
        reject(failure(`${this.program} could not sign (${why}): ${err.trim().split('\n').slice(-3).join(' ') || 'no output'}`));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(text);
    });
  }
}

function failure(message: string): VerificationException {
  return new VerificationException('approval-signing-failed', message);
}
