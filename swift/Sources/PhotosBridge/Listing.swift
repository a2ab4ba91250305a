// psb_list: the library's assets, newest first, in pages. The first call takes a snapshot (a
// PHFetchResult does not change under us) and builds the album memberships once; later calls
// continue from a cursor "<listing>:<offset>", and the snapshot is released when the last page is
// served or the caller closes the listing.
@preconcurrency import Photos
import CoreLocation
import Foundation
import UniformTypeIdentifiers

enum Listing {
  struct Request: Decodable {
    let cursor: String?
    let limit: Int?
    let close: Bool?
    let includeHidden: Bool?
    let includeAllBursts: Bool?
    let includeSharedAlbums: Bool?
  }

  struct Page: Encodable {
    let assets: [AssetJSON]
    let cursor: String?
    let total: Int

    // An explicit null cursor: "no next page" must not be confused with a missing field.
    func encode(to encoder: Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(assets, forKey: .assets)
      try container.encode(cursor, forKey: .cursor)
      try container.encode(total, forKey: .total)
    }

    private enum CodingKeys: String, CodingKey { case assets, cursor, total }
  }

  struct AssetJSON: Encodable {
    let localIdentifier: String
    let mediaType: String
    let mediaSubtypes: [String]
    let sourceTypes: [String]
    let creationDate: String?
    let timeZoneOffset: Int?
    let timeZoneName: String?
    let modificationDate: String?
    let pixelWidth: Int
    let pixelHeight: Int
    let duration: Double
    let favorite: Bool
    let hidden: Bool
    let burstIdentifier: String?
    let burstSelectionTypes: [String]
    let representsBurst: Bool
    let location: LocationJSON?
    let albums: [AlbumJSON]
    let resources: [ResourceJSON]
  }

  struct LocationJSON: Encodable {
    let latitude: Double
    let longitude: Double
  }

  struct AlbumJSON: Encodable {
    let localIdentifier: String
    let title: String
    let folders: [String]
  }

  struct ResourceJSON: Encodable {
    let type: String
    let filename: String
    let uti: String
    let raw: Bool
    let local: Bool?
  }

  /// One open listing: its snapshot and the albums of its assets, keyed by bare UUID.
  private final class Snapshot: @unchecked Sendable {
    let assets: PHFetchResult<PHAsset>
    let albums: [String: [AlbumJSON]]

    init(assets: PHFetchResult<PHAsset>, albums: [String: [AlbumJSON]]) {
      self.assets = assets
      self.albums = albums
    }
  }

  private static let snapshots = Locked((next: 1, byId: [Int: Snapshot]()))

  static func page(_ request: Request) throws -> Page {
    try Library.requireAccess()
    let limit = max(1, min(request.limit ?? 200, 5000))
    let id: Int
    let offset: Int
    let snapshot: Snapshot
    if let cursor = request.cursor {
      let parts = cursor.split(separator: ":")
      guard parts.count == 2, let listing = Int(parts[0]), let start = Int(parts[1]),
        let found = snapshots.withLock({ $0.byId[listing] })
      else {
        throw BridgeError(.badRequest, "unknown or finished listing cursor \(cursor)")
      }
      id = listing
      offset = start
      snapshot = found
    } else {
      snapshot = takeSnapshot(request)
      id = snapshots.withLock { state in
        let id = state.next
        state.next += 1
        state.byId[id] = snapshot
        return id
      }
      outstanding.listingOpened()
      offset = 0
    }

    let total = snapshot.assets.count
    let end = request.close == true ? offset : min(offset + limit, total)
    var assets: [AssetJSON] = []
    assets.reserveCapacity(max(0, end - offset))
    for index in offset..<max(offset, end) {
      // One pool per asset keeps memory flat however large the page.
      autoreleasepool {
        assets.append(describe(snapshot.assets.object(at: index), albums: snapshot.albums))
      }
    }
    if end < total && request.close != true {
      return Page(assets: assets, cursor: "\(id):\(end)", total: total)
    }
    if snapshots.withLock({ $0.byId.removeValue(forKey: id) }) != nil { outstanding.listingClosed() }
    return Page(assets: assets, cursor: nil, total: total)
  }

  /// PhotoKit keeps the capture zone (Photos' ZTIMEZONEOFFSET, else the inferred one) but does not
  /// publish it; it is read by key where this macOS answers for it, else left out.
  static func captureZoneOffset(_ asset: PHAsset) -> Int? {
    for key in ["timeZoneOffset", "inferredTimeZoneOffset"]
    where asset.responds(to: NSSelectorFromString(key)) {
      if let seconds = asset.value(forKey: key) as? NSNumber { return seconds.intValue }
    }
    return nil
  }

  private static func captureZoneName(_ asset: PHAsset) -> String? {
    guard asset.responds(to: NSSelectorFromString("timeZoneName")) else { return nil }
    return asset.value(forKey: "timeZoneName") as? String
  }

  private static func takeSnapshot(_ request: Request) -> Snapshot {
    let options = PHFetchOptions()
    options.sortDescriptors = [NSSortDescriptor(key: "creationDate", ascending: false)]
    options.includeHiddenAssets = request.includeHidden == true
    options.includeAllBurstAssets = request.includeAllBursts == true
    var sources: PHAssetSourceType = [.typeUserLibrary]
    if request.includeSharedAlbums == true { sources.insert(.typeCloudShared) }
    options.includeAssetSourceTypes = sources
    return Snapshot(assets: PHAsset.fetchAssets(with: options), albums: albumMemberships(options))
  }

  /// Every user album with the folder path above it, inverted into asset UUID -> albums.
  private static func albumMemberships(_ assetOptions: PHFetchOptions) -> [String: [AlbumJSON]] {
    let memberOptions = PHFetchOptions()
    memberOptions.includeHiddenAssets = assetOptions.includeHiddenAssets
    memberOptions.includeAllBurstAssets = assetOptions.includeAllBurstAssets
    memberOptions.includeAssetSourceTypes = assetOptions.includeAssetSourceTypes
    var memberships: [String: [AlbumJSON]] = [:]

    func visit(_ collections: PHFetchResult<PHCollection>, folders: [String], depth: Int) {
      guard depth < 64 else { return }
      for index in 0..<collections.count {
        autoreleasepool {
          let collection = collections.object(at: index)
          if let folder = collection as? PHCollectionList {
            let children = PHCollection.fetchCollections(in: folder, options: nil)
            visit(children, folders: folders + [folder.localizedTitle ?? ""], depth: depth + 1)
          } else if let album = collection as? PHAssetCollection {
            let ref = AlbumJSON(
              localIdentifier: album.localIdentifier,
              title: album.localizedTitle ?? "",
              folders: folders
            )
            let members = PHAsset.fetchAssets(in: album, options: memberOptions)
            for member in 0..<members.count {
              memberships[bareIdentifier(members.object(at: member).localIdentifier), default: []].append(ref)
            }
          }
        }
      }
    }

    visit(PHCollectionList.fetchTopLevelUserCollections(with: nil), folders: [], depth: 0)
    return memberships
  }

  static func describe(_ asset: PHAsset, albums: [String: [AlbumJSON]]) -> AssetJSON {
    let resources = PHAssetResource.assetResources(for: asset).map { resource in
      ResourceJSON(
        type: typeName(resource.type),
        filename: resource.originalFilename,
        uti: resource.uniformTypeIdentifier,
        raw: UTType(resource.uniformTypeIdentifier)?.conforms(to: .rawImage) ?? false,
        local: isLocal(resource)
      )
    }
    var sources: [String] = []
    if asset.sourceType.contains(.typeUserLibrary) { sources.append("userLibrary") }
    if asset.sourceType.contains(.typeCloudShared) { sources.append("cloudShared") }
    if asset.sourceType.contains(.typeiTunesSynced) { sources.append("iTunesSynced") }
    var selection: [String] = []
    if asset.burstSelectionTypes.contains(.autoPick) { selection.append("autoPick") }
    if asset.burstSelectionTypes.contains(.userPick) { selection.append("userPick") }
    return AssetJSON(
      localIdentifier: asset.localIdentifier,
      mediaType: mediaTypeName(asset.mediaType),
      mediaSubtypes: subtypeNames(asset.mediaSubtypes),
      sourceTypes: sources,
      creationDate: isoString(asset.creationDate),
      timeZoneOffset: captureZoneOffset(asset),
      timeZoneName: captureZoneName(asset),
      modificationDate: isoString(asset.modificationDate),
      pixelWidth: asset.pixelWidth,
      pixelHeight: asset.pixelHeight,
      duration: asset.duration,
      favorite: asset.isFavorite,
      hidden: asset.isHidden,
      burstIdentifier: asset.burstIdentifier,
      burstSelectionTypes: selection,
      representsBurst: asset.representsBurst,
      location: asset.location.map {
        LocationJSON(latitude: $0.coordinate.latitude, longitude: $0.coordinate.longitude)
      },
      albums: albums[bareIdentifier(asset.localIdentifier)] ?? [],
      resources: resources
    )
  }

  /// Whether the resource's data is on this Mac. PhotoKit has no public property for it; the
  /// `locallyAvailable` key that PHAssetResource answers is undocumented, so it is read only when
  /// the object responds to it, and "unknown" (nil) otherwise. Asking for the data itself with the
  /// network off would tell too, but would read every file of the library on every listing.
  private static func isLocal(_ resource: PHAssetResource) -> Bool? {
    guard resource.responds(to: NSSelectorFromString("locallyAvailable")) else { return nil }
    return resource.value(forKey: "locallyAvailable") as? Bool
  }

  static func mediaTypeName(_ type: PHAssetMediaType) -> String {
    switch type {
    case .image: "image"
    case .video: "video"
    case .audio: "audio"
    default: "unknown"
    }
  }

  /// The names of the PHAssetMediaSubtype members set, from the SDK's constants (raw values are
  /// not relied upon: some were never documented).
  static func subtypeNames(_ subtypes: PHAssetMediaSubtype) -> [String] {
    var known: [(PHAssetMediaSubtype, String)] = [
      (.photoPanorama, "photoPanorama"),
      (.photoHDR, "photoHDR"),
      (.photoScreenshot, "photoScreenshot"),
      (.photoLive, "photoLive"),
      (.photoDepthEffect, "photoDepthEffect"),
      (.photoAnimation, "photoAnimation"),
      (.videoStreamed, "videoStreamed"),
      (.videoHighFrameRate, "videoHighFrameRate"),
      (.videoTimelapse, "videoTimelapse"),
      (.videoScreenRecording, "videoScreenRecording"),
      (.videoCinematic, "videoCinematic"),
    ]
    // Apple's documentation lists spatialMedia from macOS 13, but it became public with the macOS 15
    // SDK; the check compiles with either annotation. Lower it once verified on a Mac with macOS 13/14.
    if #available(macOS 15.0, *) {
      known.append((.spatialMedia, "spatialMedia"))
    }
    return known.filter { subtypes.contains($0.0) }.map { $0.1 }
  }

  /// The PHAssetResourceType case name; "unknown:<raw>" for a type this build does not know.
  static func typeName(_ type: PHAssetResourceType) -> String {
    switch type {
    case .photo: return "photo"
    case .video: return "video"
    case .audio: return "audio"
    case .alternatePhoto: return "alternatePhoto"
    case .fullSizePhoto: return "fullSizePhoto"
    case .fullSizeVideo: return "fullSizeVideo"
    case .adjustmentData: return "adjustmentData"
    case .adjustmentBasePhoto: return "adjustmentBasePhoto"
    case .pairedVideo: return "pairedVideo"
    case .fullSizePairedVideo: return "fullSizePairedVideo"
    case .adjustmentBasePairedVideo: return "adjustmentBasePairedVideo"
    case .adjustmentBaseVideo: return "adjustmentBaseVideo"
    default:
      // photoProxy (19) is newer than macOS 13's SDK constants; matched by value to stay buildable.
      return type.rawValue == 19 ? "photoProxy" : "unknown:\(type.rawValue)"
    }
  }
}
