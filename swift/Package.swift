// swift-tools-version: 6.0
// libPhotosBridge: the PhotoKit helper photos-sync loads through Deno FFI.
// Build on a Mac: `swift build -c release --package-path swift` -> swift/.build/release/libPhotosBridge.dylib
import PackageDescription

let package = Package(
  name: "PhotosBridge",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "PhotosBridge", type: .dynamic, targets: ["PhotosBridge"])
  ],
  targets: [
    // The C ABI (include/photos_bridge.h), shared with the Linux test double and read by the tests
    // that check the Deno symbol table; Swift imports it for PSB_ABI_VERSION and psb_progress_fn.
    .target(name: "CPhotosBridge"),
    .target(
      name: "PhotosBridge",
      dependencies: ["CPhotosBridge"],
      linkerSettings: [
        .linkedFramework("Photos"),
        .linkedFramework("CoreLocation"),
        .linkedFramework("UniformTypeIdentifiers"),
      ]
    ),
    .testTarget(name: "PhotosBridgeTests", dependencies: ["PhotosBridge"]),
  ]
)
