{
  "targets": [
    {
      "target_name": "native_kernels",
      "sources": ["src/addon.cc", "src/pool.cc", "src/gemm.cc", "src/ukernels.cc", "src/conv.cc", "src/eltwise.cc", "src/cam.cc", "src/amx.cc"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=fast"],
      "defines": ["NAPI_VERSION=8"],
      "xcode_settings": {"GCC_ENABLE_CPP_EXCEPTIONS": "YES", "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3"]},
      "msvs_settings": {"VCCLCompilerTool": {"ExceptionHandling": 1}}
    }
  ]
}
