// Operation codes shared with packages/native-kernels/src/eltwise.h.

export const BINARY = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, SquaredDifference: 4 } as const;

export const UNARY = {
  Neg: 0,
  Square: 1,
  Sqrt: 2,
  Rsqrt: 3,
  Exp: 4,
  Log: 5,
  Abs: 6,
  Relu: 7,
  LeakyRelu: 8,
  Tanh: 9,
  Sigmoid: 10,
  Step: 11,
  Reciprocal: 12,
  Log1p: 13,
  Relu6: 14,
} as const;

export const REDUCE = { Sum: 0, Mean: 1, Max: 2, Min: 3 } as const;

export const ELEMENT_GRAD = { leakyRelu: 0, relu: 1, tanh: 2, square: 3 } as const;
