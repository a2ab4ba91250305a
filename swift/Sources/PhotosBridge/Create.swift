// psb_create: one asset from the files of one asset and its metadata, in one PHAssetCreationRequest
// (a photo and its paired video become one Live Photo, a RAW+JPEG pair one asset, an edit its render
// over the original). Every check that can refuse the request runs before anything is created;
// title, caption and keywords (Photos' scripting interface, Scripting.swift) are set after the
// creation, and when that fails the new asset goes to Recently Deleted again.
@preconcurrency import Photos
import CoreLocation
import Foundation

enum Create {
  struct Resource: Decodable {
    let type: String
    let path: String
    let filename: String?
  }

  struct Request: Decodable {
    let resources: [Resource]
    let fields: Write.Fields
  }

  struct Result: Encodable {
    let localIdentifier: String
  }

  /// A resource checked and ready to add: what PhotoKit needs and nothing else.
  private struct Checked: Sendable {
    let type: PHAssetResourceType
    let url: URL
    let filename: String
  }

  /// The resource types a creation takes, by the names psb_list gives them.
  static let types: [String: PHAssetResourceType] = [
    "photo": .photo, "video": .video, "pairedVideo": .pairedVideo, "alternatePhoto": .alternatePhoto,
    "fullSizePhoto": .fullSizePhoto, "fullSizeVideo": .fullSizeVideo, "adjustmentData": .adjustmentData,
    "adjustmentBasePhoto": .adjustmentBasePhoto, "adjustmentBaseVideo": .adjustmentBaseVideo,
    "adjustmentBasePairedVideo": .adjustmentBasePairedVideo, "fullSizePairedVideo": .fullSizePairedVideo,
  ]

  /// psb_write's fields but the capture zone, which PhotoKit cannot set (Photos reads it from the file).
  static let knownFields = Write.Fields.known.subtracting(["timeZoneOffset"])

  static func create(_ request: Request) throws -> Result {
    try Library.requireAccess()
    let resources = try checked(request.resources)
    let fields = request.fields
    let unknown = fields.names.filter { !knownFields.contains($0) }
    guard unknown.isEmpty else {
      throw BridgeError(
        .unsupported, "Photos cannot take \(unknown.joined(separator: ", ")) from photos-sync; nothing was created")
    }
    let date = try creationDate(fields)
    let albums = try Library.userAlbums(fields.albums ?? [])
    let scripted = fields.scripted
    // A refused Automation permission must stop the call before an asset exists.
    if !scripted.isEmpty { try Scripting.probe() }

    let created = Locked<String?>(nil)
    try Changes.perform {
      let creation = PHAssetCreationRequest.forAsset()
      for resource in resources {
        let options = PHAssetResourceCreationOptions()
        options.originalFilename = resource.filename
        options.shouldMoveFile = false  // photos-sync keeps its copy
        creation.addResource(with: resource.type, fileURL: resource.url, options: options)
      }
      if let date { creation.creationDate = date }
      if case .some(.some(let place)) = fields.location {
        creation.location = CLLocation(latitude: place.latitude, longitude: place.longitude)
      }
      if let favorite = fields.favorite { creation.isFavorite = favorite }
      if let hidden = fields.hidden { creation.isHidden = hidden }
      guard let placeholder = creation.placeholderForCreatedAsset else { return }
      for album in albums {
        PHAssetCollectionChangeRequest(for: album)?.addAssets([placeholder] as NSArray)
      }
      created.set(placeholder.localIdentifier)
    }
    guard let localIdentifier = created.value else {
      throw BridgeError(.internal, "Photos created the asset but gave no identifier for it")
    }
    if !scripted.isEmpty { try setText(scripted, on: localIdentifier) }
    return Result(localIdentifier: localIdentifier)
  }

  /// The resources as PhotoKit takes them: known types, each once, an original, a combination
  /// PHAssetCreationRequest supports, and files that can be read.
  private static func checked(_ resources: [Resource]) throws -> [Checked] {
    var seen = Set<String>()
    let result = try resources.map { resource in
      guard let type = types[resource.type] else {
        throw BridgeError(.unsupported, "Photos cannot create an asset with a \(resource.type) resource")
      }
      guard seen.insert(resource.type).inserted else {
        throw BridgeError(.unsupported, "an asset takes one \(resource.type) resource, not two")
      }
      guard FileManager.default.isReadableFile(atPath: resource.path) else {
        throw BridgeError(.notFound, "\(resource.path) does not exist or cannot be read")
      }
      let url = URL(fileURLWithPath: resource.path)
      return Checked(type: type, url: url, filename: resource.filename ?? url.lastPathComponent)
    }
    guard seen.contains("photo") != seen.contains("video") else {
      throw BridgeError(.badRequest, "psb_create needs one original: a photo or a video resource")
    }
    let raw = result.map { NSNumber(value: $0.type.rawValue) }
    guard PHAssetCreationRequest.supportsAssetResourceTypes(raw) else {
      let names = resources.map(\.type).joined(separator: ", ")
      throw BridgeError(.unsupported, "Photos cannot create one asset from \(names); nothing was created")
    }
    return result
  }

  private static func creationDate(_ fields: Write.Fields) throws -> Date? {
    guard let value = fields.creationDate else { return nil }
    guard let text = value else {
      throw BridgeError(.unsupported, "creationDate: a new asset cannot be given no date; leave it out instead")
    }
    guard let date = Write.parseDate(text) else {
      throw BridgeError(.badRequest, "creationDate: \(text) is not an ISO-8601 date")
    }
    return date
  }

  /// Title, caption and keywords on the new asset; on failure the asset goes again, so the call
  /// leaves nothing behind, and the error says so.
  private static func setText(_ text: Scripting.Text, on localIdentifier: String) throws {
    do {
      _ = try Scripting.set(text, on: localIdentifier)
    } catch {
      let failure = BridgeError.from(error)
      let assets = Array(Library.assets([localIdentifier]).values)
      do {
        try Changes.perform { PHAssetChangeRequest.deleteAssets(assets as NSArray) }
      } catch {
        let reason = BridgeError.from(error, context: .changing).message
        throw BridgeError(
          failure.code, "\(failure.message); the new asset \(localIdentifier) could not be removed again (\(reason))")
      }
      throw BridgeError(failure.code, "\(failure.message); the new asset was moved to Recently Deleted again")
    }
  }
}
