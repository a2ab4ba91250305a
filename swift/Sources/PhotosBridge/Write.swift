// psb_write: metadata changed at the destination, written into one asset. Everything PhotoKit can
// set (favorite, hidden, creation date, location, album membership) goes in one change block, which
// is atomic. Title, caption and keywords have no PhotoKit API: Scripting.swift sets them first and
// puts them back when the change block then fails, so a failed call leaves the asset as it was.
// Every check that can refuse the request runs before anything is written.
@preconcurrency import Photos
import CoreLocation
import Foundation

enum Write {
  struct Request: Decodable {
    let id: String
    let fields: Fields
  }

  struct Result: Encodable {
    let written: [String]
  }

  struct Place: Decodable, Sendable {
    let latitude: Double
    let longitude: Double
  }

  /// The fields of a request. A double optional tells "absent" (nil) from "null" (.some(nil)).
  struct Fields: Decodable, Sendable {
    /// Every field this library can write; any other is refused by name.
    static let known: Set<String> = [
      "favorite", "hidden", "creationDate", "timeZoneOffset", "location", "albums", "title", "caption",
      "keywords",
    ]

    let names: [String]
    let favorite: Bool?
    let hidden: Bool?
    let creationDate: String??
    let timeZoneOffset: Int??
    let location: Place??
    let albums: [String]?
    let title: String??
    let caption: String??
    let keywords: [String]?

    init(from decoder: Decoder) throws {
      let fields = try decoder.container(keyedBy: FieldKey.self)
      names = fields.allKeys.map(\.stringValue).sorted()
      favorite = try fields.decodeIfPresent(Bool.self, forKey: FieldKey("favorite"))
      hidden = try fields.decodeIfPresent(Bool.self, forKey: FieldKey("hidden"))
      creationDate = try nullable(fields, "creationDate")
      timeZoneOffset = try nullable(fields, "timeZoneOffset")
      location = try nullable(fields, "location")
      albums = try fields.decodeIfPresent([String].self, forKey: FieldKey("albums"))
      title = try nullable(fields, "title")
      caption = try nullable(fields, "caption")
      keywords = try fields.decodeIfPresent([String].self, forKey: FieldKey("keywords"))
    }

    var scripted: Scripting.Text {
      Scripting.Text(title: title, caption: caption, keywords: keywords)
    }

    var needsChangeBlock: Bool {
      favorite != nil || hidden != nil || creationDate != nil || location != nil || albums != nil
    }
  }

  static func write(_ request: Request) throws -> Result {
    try Library.requireAccess()
    let fields = request.fields
    let unknown = fields.names.filter { !Fields.known.contains($0) }
    guard unknown.isEmpty else {
      throw BridgeError(
        .unsupported, "Photos cannot take \(unknown.joined(separator: ", ")) from photos-sync; nothing was written")
    }
    let asset = try Library.asset(request.id)
    let date = try creationDate(fields, of: asset)
    let albums = try fields.albums.map { try albumChanges(asset, to: $0) }

    let scripted = fields.scripted
    let before = try scripted.isEmpty ? nil : Scripting.set(scripted, on: asset.localIdentifier)
    guard fields.needsChangeBlock else { return Result(written: fields.names) }
    do {
      try Changes.perform {
        let change = PHAssetChangeRequest(for: asset)
        if let favorite = fields.favorite { change.isFavorite = favorite }
        if let hidden = fields.hidden { change.isHidden = hidden }
        if let date { change.creationDate = date }
        if case .some(let place) = fields.location {
          change.location = place.map { CLLocation(latitude: $0.latitude, longitude: $0.longitude) }
        }
        for album in albums?.add ?? [] {
          PHAssetCollectionChangeRequest(for: album)?.addAssets([asset] as NSArray)
        }
        for album in albums?.remove ?? [] {
          PHAssetCollectionChangeRequest(for: album)?.removeAssets([asset] as NSArray)
        }
      }
    } catch {
      throw putBack(before, on: asset.localIdentifier, after: BridgeError.from(error, context: .changing))
    }
    return Result(written: fields.names)
  }

  /// The scripted fields as they were, after the change block failed: the asset must not be left
  /// half-written. Returns the error to report, which says so when putting them back failed too.
  private static func putBack(_ before: Scripting.Text?, on id: String, after failure: BridgeError) -> BridgeError {
    guard let before else { return failure }
    do {
      _ = try Scripting.set(before, on: id)
      return failure
    } catch {
      let reason = BridgeError.from(error).message
      return BridgeError(
        failure.code,
        "\(failure.message); title, caption and keywords were written but could not be put back (\(reason))")
    }
  }

  /// The new creation date, after checking what PhotoKit cannot do: clear it, or set the zone.
  private static func creationDate(_ fields: Fields, of asset: PHAsset) throws -> Date? {
    if case .some(.some(let offset)) = fields.timeZoneOffset, let known = Listing.captureZoneOffset(asset),
      known != offset
    {
      throw BridgeError(
        .unsupported,
        "timeZoneOffset: PhotoKit cannot move the capture time zone (\(known) s to \(offset) s); "
          + "change it in Photos with Image > Adjust Date and Time; nothing was written")
    }
    guard let value = fields.creationDate else { return nil }
    guard let text = value else {
      throw BridgeError(.unsupported, "creationDate: Photos cannot clear a creation date; nothing was written")
    }
    guard let date = parseDate(text) else {
      throw BridgeError(.badRequest, "creationDate: \(text) is not an ISO-8601 date")
    }
    return date
  }

  static func parseDate(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: text)
  }

  /// The user albums to add the asset to and to remove it from, so that it ends up in `target`.
  private static func albumChanges(
    _ asset: PHAsset, to target: [String]
  ) throws -> (add: [PHAssetCollection], remove: [PHAssetCollection]) {
    let wanted = try Library.userAlbums(target)
    var current: [String: PHAssetCollection] = [:]
    PHAssetCollection.fetchAssetCollectionsContaining(asset, with: .album, options: nil)
      .enumerateObjects { album, _, _ in
        if album.assetCollectionSubtype == .albumRegular { current[bareIdentifier(album.localIdentifier)] = album }
      }
    var wantedIds = Set<String>()
    // An album named twice is added once.
    let add = wanted.filter { album in
      let id = bareIdentifier(album.localIdentifier)
      return wantedIds.insert(id).inserted && current[id] == nil
    }
    let remove = current.filter { !wantedIds.contains($0.key) }.map(\.value)
    return (add, remove)
  }
}

/// Any key of a JSON object, so that unknown fields can be named instead of ignored.
struct FieldKey: CodingKey {
  let stringValue: String
  var intValue: Int? { nil }

  init(_ name: String) { stringValue = name }
  init?(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { return nil }
}

/// nil when the key is absent, .some(nil) when it is null.
private func nullable<T: Decodable>(_ container: KeyedDecodingContainer<FieldKey>, _ name: String) throws -> T?? {
  let key = FieldKey(name)
  guard container.contains(key) else { return nil }
  if try container.decodeNil(forKey: key) { return .some(nil) }
  return .some(try container.decode(T.self, forKey: key))
}
