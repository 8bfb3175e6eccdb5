/** semver.is_valid and semver.compare (Semantic Versioning 2.0.0, no `v` prefix, as OPA). */
import semver from 'semver';
import { str } from './operands';
import { builtinError, register } from './registry';

const STRICT = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function parse(v: string, pos: number): semver.SemVer {
  const p = STRICT.test(v) ? semver.parse(v) : null;
  if (!p) throw builtinError(`operand ${pos}: string ${JSON.stringify(v)} is not a valid SemVer`);
  return p;
}

register('semver.is_valid', 1, ([v]) => typeof v === 'string' && STRICT.test(v) && semver.parse(v) !== null);
register('semver.compare', 2, ([a, b]) => semver.compare(parse(str(a, 1), 1), parse(str(b, 2), 2)));
