/** Type predicates and type_name. */
import { Kind, kindOf, typeName } from '../value';
import { register } from './registry';

const predicates: [string, Kind][] = [
  ['is_null', Kind.Null],
  ['is_boolean', Kind.Bool],
  ['is_number', Kind.Num],
  ['is_string', Kind.Str],
  ['is_array', Kind.Arr],
  ['is_object', Kind.Obj],
  ['is_set', Kind.Set],
];
for (const [name, kind] of predicates) register(name, 1, ([v]) => kindOf(v) === kind);

register('type_name', 1, ([v]) => typeName(v));
