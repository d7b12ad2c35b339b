/** Registers GAN Focus' WGSL kernels on backend `name`; returns their names. */
export function registerWebGpuKernels(_name: string): string[] {
  return [];
}
