// Changes to the library, each in one PHPhotoLibrary change block: deletion to Recently Deleted
// (Photos may ask the user once to confirm), and the lookup by id that tells what is still there.
// Creating an asset is Create.swift's, metadata written into one asset Write.swift's.
// performChangesAndWait blocks the calling thread, which is a Deno worker thread, never the main one.
@preconcurrency import Photos
import Foundation

enum Changes {
  struct IdsRequest: Decodable {
    let ids: [String]
  }

  struct DeleteResult: Encodable {
    let deleted: [String]
    let notFound: [String]
  }

  struct LookupRequest: Decodable {
    let ids: [String]
    let albums: [String]?
    let describe: Bool?
  }

  struct Found: Encodable {
    let found: [String]
    let notFound: [String]
  }

  struct LookupResult: Encodable {
    let found: [String]
    let notFound: [String]
    let assets: [Listing.AssetJSON]?
    let albums: Found?
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

  static func lookup(_ request: LookupRequest) throws -> LookupResult {
    try Library.requireAccess()
    let (found, missing) = split(request.ids)
    let albums = request.albums.map { ids in
      let (found, missing) = Library.findUserAlbums(ids)
      return Found(found: found, notFound: missing)
    }
    // No album memberships: finding them is a pass over every album of the library.
    let assets = request.describe == true ? found.map { Listing.describe($0.1, albums: [:]) } : nil
    return LookupResult(found: found.map { $0.0 }, notFound: missing, assets: assets, albums: albums)
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
