/** SiLU (swish) of one number: x * sigmoid(x) = x / (1 + e^-x). */
export function siluScalar(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** Element-wise SiLU. */
export function silu(x: Float32Array, out: Float32Array = new Float32Array(x.length)): Float32Array {
  if (out.length !== x.length) throw new RangeError(`silu: output length ${out.length} differs from input length ${x.length}`);
  for (let i = 0; i < x.length; i++) out[i] = siluScalar(x[i]!);
  return out;
}

/** SwiGLU gating of the MLP: silu(gate) * up, element-wise (the input of down_proj). */
export function swiglu(gate: Float32Array, up: Float32Array, out: Float32Array = new Float32Array(gate.length)): Float32Array {
  if (up.length !== gate.length) throw new RangeError(`swiglu: gate has ${gate.length} values but up has ${up.length}`);
  if (out.length !== gate.length) throw new RangeError(`swiglu: output length ${out.length} differs from input length ${gate.length}`);
  for (let i = 0; i < gate.length; i++) out[i] = siluScalar(gate[i]!) * up[i]!;
  return out;
}
