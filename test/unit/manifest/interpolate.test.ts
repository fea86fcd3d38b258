// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the manifest syntax under test, not a JS template
import { describe, expect, it } from 'vitest';
import { interpolate, typedScalar } from '../../../src/manifest/interpolate.js';

const vars: Record<string, string | number | boolean> = { n: 3, on: true, img: 'nginx', empty: '' };
const look = (name: string) => vars[name];
const value = (text: string, typed = true) => {
  const r = interpolate(text, look, typed);
  if ('error' in r) throw new Error(r.error);
  return r.value;
};

describe('interpolate', () => {
  it('substitutes ${NAME} anywhere in a string', () => {
    expect(value('registry/${img}:1.${n}')).toBe('registry/nginx:1.3');
  });

  it('keeps the type of a whole-value variable when typed, text otherwise', () => {
    expect(value('${n}')).toBe(3);
    expect(value('${on}')).toBe(true);
    expect(value('${n}', false)).toBe('3');
    expect(value('x${n}')).toBe('x3');
    expect(value('${n}${n}')).toBe('33');
  });

  it('uses the default only when the variable is not defined, typed like YAML', () => {
    expect(value('${missing:-5}')).toBe(5);
    expect(value('${missing:-a b}')).toBe('a b');
    expect(value('${missing:-}')).toBe('');
    expect(value('${img:-other}')).toBe('nginx');
    expect(value('${empty:-other}')).toBe('');
  });

  it('$${ is a literal ${, and shell forms pass through', () => {
    expect(value('echo $${HOME} $$ ${#x} ${x%.*} $PORT0')).toBe('echo ${HOME} $$ ${#x} ${x%.*} $PORT0');
    expect(value('$${n}')).toBe('${n}');
  });

  it('is strict: an undefined variable is an error at its ${', () => {
    const r = interpolate('a ${img} ${nope}', look, true);
    expect(r).toMatchObject({ error: 'variable nope is not defined', offset: 9 });
    expect(interpolate('x ${img', look, true)).toMatchObject({ error: '`${` is never closed', offset: 2 });
  });

  it('reports no change for strings without variables', () => {
    expect(interpolate('plain $x', look, true)).toMatchObject({ value: 'plain $x', changed: false });
  });
});

describe('typedScalar', () => {
  it('reads numbers and booleans as YAML does, the rest as text', () => {
    expect(typedScalar('3')).toBe(3);
    expect(typedScalar('-0.5')).toBe(-0.5);
    expect(typedScalar('false')).toBe(false);
    expect(typedScalar('007')).toBe('007');
    expect(typedScalar('3m')).toBe('3m');
    expect(typedScalar('True')).toBe('True');
  });
});
