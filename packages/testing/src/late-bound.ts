/**
 * A stand-in for an object that exists only once a beforeAll hook has run: a test file can
 * name it at module level (`const upstream = gateway.upstreams.openai`) and use it in its
 * tests as if it were the object itself. Used before `bind`, it says so instead of
 * failing on undefined.
 */
export function lateBound<T extends object>(what: string): { value: T; bind(target: T): void } {
  let bound: T | undefined;
  const target = (): T => {
    if (bound === undefined) throw new Error(`${what} is not started yet: use it inside a test or a hook, not while the file is loading`);
    return bound;
  };
  const value = new Proxy({} as T, {
    get(_stub, property) {
      const real = target();
      const member: unknown = Reflect.get(real, property, real);
      // Methods run against the real object, so private state and `this` work.
      return typeof member === 'function' ? member.bind(real) : member;
    },
    set: (_stub, property, member) => Reflect.set(target(), property, member),
    has: (_stub, property) => Reflect.has(target(), property),
  });
  return {
    value,
    bind(real) {
      bound = real;
    },
  };
}
