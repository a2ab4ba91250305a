// Access to the system Photos library: authorization, and finding assets and albums by the ids
// photos-sync keeps (bare UUIDs) or by full local identifiers.
@preconcurrency import Photos
import Foundation

enum Library {
  struct AuthorizeRequest: Decodable {
    let prompt: Bool?
  }

  struct AuthorizeResult: Encodable {
    let status: String
  }

  static func authorize(_ request: AuthorizeRequest) -> AuthorizeResult {
    var status = PHPhotoLibrary.authorizationStatus(for: .readWrite)
    if request.prompt == true && status == .notDetermined {
      // The prompt is shown by the system on behalf of the app that runs photos-sync (Terminal);
      // its answer arrives on an arbitrary queue. A prompt nobody answers for ten minutes is
      // reported as still undecided rather than blocking forever.
      let answer = Locked(PHAuthorizationStatus.notDetermined)
      let answered = DispatchSemaphore(value: 0)
      PHPhotoLibrary.requestAuthorization(for: .readWrite) { granted in
        answer.set(granted)
        answered.signal()
      }
      if answered.wait(timeout: .now() + .seconds(600)) == .success { status = answer.value }
    }
    return AuthorizeResult(status: name(of: status))
  }

  static func name(of status: PHAuthorizationStatus) -> String {
    switch status {
    case .authorized: "authorized"
    case .limited: "limited"
    case .denied: "denied"
    case .restricted: "restricted"
    case .notDetermined: "not_determined"
    @unknown default: "not_determined"
    }
  }

  /// Throws "not_authorized" unless the user granted access (limited access counts: PhotoKit
  /// works, and photos-sync itself refuses it with its own advice).
  static func requireAccess() throws {
    let status = PHPhotoLibrary.authorizationStatus(for: .readWrite)
    guard status == .authorized || status == .limited else {
      throw BridgeError(.notAuthorized, "Photos access is \(name(of: status))")
    }
  }

  /// Fetch options that see everything PhotoKit can list, for lookups by id.
  static func everythingOptions() -> PHFetchOptions {
    let options = PHFetchOptions()
    options.includeHiddenAssets = true
    options.includeAllBurstAssets = true
    options.includeAssetSourceTypes = [.typeUserLibrary, .typeCloudShared, .typeiTunesSynced]
    return options
  }

  /// The assets named by `ids` (bare UUIDs or local identifiers), keyed by the id as given.
  static func assets(_ ids: [String]) -> [String: PHAsset] {
    // A bare UUID is tried as the usual "<UUID>/L0/001" and as it is; results are matched back
    // by UUID, so either form of the id finds the asset.
    var candidates: [String] = []
    for id in ids {
      if id.contains("/") {
        candidates.append(id)
      } else {
        candidates.append("\(id)/L0/001")
        candidates.append(id)
      }
    }
    let result = PHAsset.fetchAssets(withLocalIdentifiers: candidates, options: everythingOptions())
    var byUUID: [String: PHAsset] = [:]
    for index in 0..<result.count {
      let asset = result.object(at: index)
      byUUID[bareIdentifier(asset.localIdentifier)] = asset
    }
    var found: [String: PHAsset] = [:]
    for id in ids {
      if let asset = byUUID[bareIdentifier(id)] { found[id] = asset }
    }
    return found
  }

  static func asset(_ id: String) throws -> PHAsset {
    guard let asset = assets([id])[id] else {
      throw BridgeError(.notFound, "no asset \(id) in the Photos library")
    }
    return asset
  }

  /// The user albums named by `ids` (bare UUIDs or local identifiers), in request order. A missing
  /// album is "not_found"; a smart or shared album, or one that takes no assets, "unsupported".
  static func userAlbums(_ ids: [String]) throws -> [PHAssetCollection] {
    let byUUID = albums(ids)
    return try ids.map { id in
      guard let album = byUUID[bareIdentifier(id)] else {
        throw BridgeError(.notFound, "albums: no album \(id) in the Photos library; nothing was written")
      }
      guard isUserAlbum(album) else {
        throw BridgeError(
          .unsupported,
          "albums: \(album.localizedTitle ?? id) is not one of your own albums (smart or shared); nothing was written")
      }
      return album
    }
  }

  /// Which of `ids` name one of the user's own albums (the albums psb_create and psb_write take).
  static func findUserAlbums(_ ids: [String]) -> (found: [String], missing: [String]) {
    let byUUID = albums(ids)
    var found: [String] = []
    var missing: [String] = []
    for id in ids {
      if let album = byUUID[bareIdentifier(id)], isUserAlbum(album) { found.append(id) } else { missing.append(id) }
    }
    return (found, missing)
  }

  /// The albums named by `ids`, keyed by bare UUID.
  private static func albums(_ ids: [String]) -> [String: PHAssetCollection] {
    // Album local identifiers end in "/L0/040"; a bare UUID is tried with it and as it is.
    let candidates = ids.flatMap { $0.contains("/") ? [$0] : ["\($0)/L0/040", $0] }
    let result = PHAssetCollection.fetchAssetCollections(withLocalIdentifiers: candidates, options: nil)
    var byUUID: [String: PHAssetCollection] = [:]
    result.enumerateObjects { album, _, _ in byUUID[bareIdentifier(album.localIdentifier)] = album }
    return byUUID
  }

  private static func isUserAlbum(_ album: PHAssetCollection) -> Bool {
    album.assetCollectionType == .album && album.assetCollectionSubtype == .albumRegular
      && album.canPerform(.addContent) && album.canPerform(.removeContent)
  }
}
