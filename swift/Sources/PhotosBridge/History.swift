// psb_history: what changed since a token, from PhotoKit's persistent change history (macOS 13).
// The token is a PHPersistentChangeToken archived with NSKeyedArchiver, in base64 so that it
// travels as text. When the history cannot answer (no token, a token this library cannot read, one
// older than the history Photos keeps, or changes without details), the answer is "all": the caller
// compares everything, which is slower but never misses a change.
@preconcurrency import Photos
import Foundation

enum History {
  struct Request: Decodable {
    let since: String?
  }

  struct ChangedIds: Encodable {
    var inserted: Set<String> = []
    var updated: Set<String> = []
    var deleted: Set<String> = []

    mutating func add(_ details: PHPersistentObjectChangeDetails) {
      inserted.formUnion(details.insertedLocalIdentifiers)
      updated.formUnion(details.updatedLocalIdentifiers)
      deleted.formUnion(details.deletedLocalIdentifiers)
    }

    // Sorted lists: the same history gives the same answer.
    func encode(to encoder: Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(inserted.sorted(), forKey: .inserted)
      try container.encode(updated.sorted(), forKey: .updated)
      try container.encode(deleted.sorted(), forKey: .deleted)
    }

    private enum CodingKeys: String, CodingKey { case inserted, updated, deleted }
  }

  struct Result: Encodable {
    let next: String
    let all: Bool
    let assets: ChangedIds
    let albums: ChangedIds
  }

  static func since(_ request: Request) throws -> Result {
    try Library.requireAccess()
    let library = PHPhotoLibrary.shared()
    // Taken before the history is read: a change made meanwhile comes again next time, never lost.
    let next = try archive(library.currentChangeToken)
    guard let text = request.since, let token = unarchive(text) else { return everything(next) }
    var assets = ChangedIds()
    var albums = ChangedIds()
    do {
      for change in try library.fetchPersistentChanges(since: token) {
        try autoreleasepool {
          let assetDetails = try change.changeDetails(for: .asset)
          let albumDetails = try change.changeDetails(for: .assetCollection)
          assets.add(assetDetails)
          albums.add(albumDetails)
        }
      }
    } catch {
      if lostTrack(error) { return everything(next) }
      throw BridgeError.from(error, what: "the change history")
    }
    return Result(next: next, all: false, assets: assets, albums: albums)
  }

  private static func everything(_ next: String) -> Result {
    Result(next: next, all: true, assets: ChangedIds(), albums: ChangedIds())
  }

  /// Errors that mean "the history cannot say", as opposed to a library that cannot be read at all.
  private static func lostTrack(_ error: Error) -> Bool {
    let nsError = error as NSError
    guard nsError.domain == PHPhotosError.errorDomain else { return false }
    return nsError.code == PHPhotosError.Code.persistentChangeTokenExpired.rawValue
      || nsError.code == PHPhotosError.Code.persistentChangeDetailsUnavailable.rawValue
  }

  private static func archive(_ token: PHPersistentChangeToken) throws -> String {
    do {
      return try NSKeyedArchiver.archivedData(withRootObject: token, requiringSecureCoding: true)
        .base64EncodedString()
    } catch {
      throw BridgeError(.internal, "cannot archive the change token: \(error)")
    }
  }

  /// nil for anything that is not a token this library archived: the caller then gets "all".
  private static func unarchive(_ text: String) -> PHPersistentChangeToken? {
    guard let data = Data(base64Encoded: text) else { return nil }
    return try? NSKeyedUnarchiver.unarchivedObject(ofClass: PHPersistentChangeToken.self, from: data)
  }
}
