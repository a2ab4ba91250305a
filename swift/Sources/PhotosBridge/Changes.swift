// Changes to the library, each in one PHPhotoLibrary change block: deletion to Recently Deleted
// (Photos may ask the user once to confirm) and creating an asset from files (restore). Metadata
// written into one asset is Write.swift's.
// performChangesAndWait blocks the calling thread, which is a Deno worker thread, never the main one.
@preconcurrency import Photos
import Foundation
import UniformTypeIdentifiers

enum Changes {
  struct IdsRequest: Decodable {
    let ids: [String]
  }

  struct DeleteResult: Encodable {
    let deleted: [String]
    let notFound: [String]
  }

  struct CreateFile: Decodable {
    let path: String
    let role: String
  }

  struct CreateRequest: Decodable {
    let files: [CreateFile]
  }

  struct CreateResult: Encodable {
    let localIdentifier: String
  }

  static func delete(_ request: IdsRequest) throws -> DeleteResult {
    try Library.requireAccess()
    let (found, missing) = split(request.ids)
    // Ids that were not found are reported as such, never as deleted (the predecessor did).
    if !found.isEmpty {
      let assets = found.map { $0.1 }
      try perform { PHAssetChangeRequest.deleteAssets(assets as NSArray) }
    }
    return DeleteResult(deleted: found.map { $0.0 }, notFound: missing)
  }

  static func create(_ request: CreateRequest) throws -> CreateResult {
    try Library.requireAccess()
    guard let original = request.files.first(where: { $0.role == "original" }) else {
      throw BridgeError(.badRequest, "psb_create needs a file with role \"original\"")
    }
    let motion = request.files.first(where: { $0.role == "motion" })
    for file in [original] + (motion.map { [$0] } ?? []) {
      guard FileManager.default.isReadableFile(atPath: file.path) else {
        throw BridgeError(.notFound, "\(file.path) does not exist or cannot be read")
      }
    }
    let originalURL = URL(fileURLWithPath: original.path)
    let isVideo = UTType(filenameExtension: originalURL.pathExtension)?.conforms(to: .movie) ?? false
    if motion != nil && isVideo {
      throw BridgeError(.badRequest, "a motion video belongs to a photo, but the original is a video")
    }
    let created = Locked<String?>(nil)
    try perform {
      let creation = PHAssetCreationRequest.forAsset()
      creation.addResource(with: isVideo ? .video : .photo, fileURL: originalURL, options: copying(originalURL))
      if let motion {
        let motionURL = URL(fileURLWithPath: motion.path)
        creation.addResource(with: .pairedVideo, fileURL: motionURL, options: copying(motionURL))
      }
      created.set(creation.placeholderForCreatedAsset?.localIdentifier)
    }
    guard let localIdentifier = created.value else {
      throw BridgeError(.internal, "Photos created the asset but gave no identifier for it")
    }
    return CreateResult(localIdentifier: localIdentifier)
  }

  /// The file is copied into the library under its own name; photos-sync keeps its copy.
  private static func copying(_ url: URL) -> PHAssetResourceCreationOptions {
    let options = PHAssetResourceCreationOptions()
    options.originalFilename = url.lastPathComponent
    options.shouldMoveFile = false
    return options
  }

  private static func split(_ ids: [String]) -> (found: [(String, PHAsset)], missing: [String]) {
    let assets = Library.assets(ids)
    var found: [(String, PHAsset)] = []
    var missing: [String] = []
    for id in ids {
      if let asset = assets[id] { found.append((id, asset)) } else { missing.append(id) }
    }
    return (found, missing)
  }

  static func perform(_ change: @escaping @Sendable () -> Void) throws {
    do {
      try PHPhotoLibrary.shared().performChangesAndWait(change)
    } catch {
      throw BridgeError.from(error, context: .changing)
    }
  }
}
