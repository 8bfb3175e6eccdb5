import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import { matchesLabels, parseLabelSelector } from './label-selector';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', version: '3' };
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['tier in (front, back)', true],
    ['tier in (back)', false],
    ['tier notin (back)', true],
    ['missing notin (x)', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['app=web,tier=back', false],
    ['app=web,tier in (front),!legacy', true],
    ['version>2', true],
    ['version<3', false],
    ['example.com/owner', false],
    ['app=', false],
  ])('%s selects: %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each(['app in (a', 'Bad Key=x', 'app=not valid!', 'version>x', ','])('rejects %s with 400', (selector) => {
    try {
      parseLabelSelector(selector);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).httpStatus).toBe(400);
    }
  });
});
