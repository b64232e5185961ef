// Element types. float32 is the default and the only type of the gpu backend; float64 exists on
// the cpu backend for checking (gradcheck, PyTorch parity fixtures).

export type DType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array;

export function allocArray(dtype: DType, n: number): TypedArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

export function isDType(x: unknown): x is DType {
  return x === 'float32' || x === 'float64';
}
