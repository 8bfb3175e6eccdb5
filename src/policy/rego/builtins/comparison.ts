/** Comparison operators (==, !=, <, <=, >, >=) over OPA's total order of values. */
import { compare, equal } from '../value';
import { register } from './registry';

register('equal', 2, ([a, b]) => equal(a, b));
register('neq', 2, ([a, b]) => !equal(a, b));
register('lt', 2, ([a, b]) => compare(a, b) < 0);
register('lte', 2, ([a, b]) => compare(a, b) <= 0);
register('gt', 2, ([a, b]) => compare(a, b) > 0);
register('gte', 2, ([a, b]) => compare(a, b) >= 0);
