/**
 * Builtins of OPA that gitseal deliberately does not run: network access from a policy, and
 * signature verification of JWTs (use gitseal's own verification instead). They exist so that
 * policies naming them compile and can mock them with `with`; called for real, they end the
 * evaluation with an error (never a silent undefined that could let a change through).
 */
import { BuiltinError, register } from './registry';

const DISABLED: [string, number, string][] = [
  ['http.send', 1, 'network access from policies is disabled in gitseal'],
  ['net.lookup_ip_addr', 1, 'network access from policies is disabled in gitseal'],
  ['io.jwt.decode_verify', 2, 'JWT verification is not supported by the built-in engine'],
  ['io.jwt.verify_rs256', 2, 'JWT verification is not supported by the built-in engine'],
  ['io.jwt.verify_es256', 2, 'JWT verification is not supported by the built-in engine'],
  ['io.jwt.verify_hs256', 2, 'JWT verification is not supported by the built-in engine'],
  ['rand.intn', 2, 'nondeterministic builtins are disabled in gitseal (decisions must be reproducible)'],
  ['uuid.rfc4122', 1, 'nondeterministic builtins are disabled in gitseal (decisions must be reproducible)'],
];

for (const [name, arity, why] of DISABLED) {
  register(
    name,
    arity,
    () => {
      throw new BuiltinError('eval_builtin_error', why);
    },
    { halt: true },
  );
}
