{
  "targets": [
    {
      "target_name": "strata_native",
      "sources": ["strata_native.cc", "inflate.cc"],
      "libraries": ["-lisal"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node -p \"require('path').join(require.resolve('better-sqlite3/package.json'), '../deps/sqlite3')\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O2", "-Wall"]
    }
  ]
}
