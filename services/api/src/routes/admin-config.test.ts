import { describe, expect, it } from 'vitest';
import { problemKeys } from './admin-config.ts';

describe('problemKeys', () => {
  it('names each key once, in the order the problems came', () => {
    expect(
      problemKeys([
        'models.x.upstreem: unknown key',
        'aliases.quick: unknown model "gone"',
        'models.x.upstreem: unknown key',
        'SWITCHYARD_CONFIG: /etc/sy.yaml is not valid YAML: bad indentation',
      ]),
    ).toEqual(['models.x.upstreem', 'aliases.quick', 'SWITCHYARD_CONFIG']);
  });
});
