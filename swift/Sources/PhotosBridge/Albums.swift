// psb_create_album: a new user album inside its folders, in one change block. Each folder is found
// by title under the one above it (the top level first) and created when missing, so an album
// restored into "2025 > Trips" lands beside the albums already there.
@preconcurrency import Photos
import Foundation

enum Albums {
  struct Request: Decodable {
    let title: String
    let folders: [String]?
  }

  struct Result: Encodable {
    let localIdentifier: String
  }

  static func create(_ request: Request) throws -> Result {
    try Library.requireAccess()
    guard !request.title.isEmpty else { throw BridgeError(.badRequest, "an album needs a title") }
    let folders = request.folders ?? []
    // The deepest folder that exists already, and the titles below it still to create.
    var parent: PHCollectionList?
    var missing = folders[...]
    while let title = missing.first, let found = folder(titled: title, in: parent) {
      parent = found
      missing = missing.dropFirst()
    }
    let toCreate = Array(missing)
    let deepest = parent
    let created = Locked<String?>(nil)
    try Changes.perform {
      let album = PHAssetCollectionChangeRequest.creationRequestForAssetCollection(withTitle: request.title)
      guard var child: PHObjectPlaceholder = album.placeholderForCreatedAssetCollection else { return }
      created.set(child.localIdentifier)
      // Innermost first: each new folder takes what was made below it.
      for title in toCreate.reversed() {
        let list = PHCollectionListChangeRequest.creationRequestForCollectionList(withTitle: title)
        list.addChildCollections([child] as NSArray)
        guard let placeholder = list.placeholderForCreatedCollectionList else { return }
        child = placeholder
      }
      if let deepest {
        PHCollectionListChangeRequest(for: deepest)?.addChildCollections([child] as NSArray)
      }
    }
    guard let localIdentifier = created.value else {
      throw BridgeError(.internal, "Photos created the album but gave no identifier for it")
    }
    return Result(localIdentifier: localIdentifier)
  }

  /// The folder of this title directly under `parent` (nil: the top level).
  private static func folder(titled title: String, in parent: PHCollectionList?) -> PHCollectionList? {
    let children =
      parent.map { PHCollection.fetchCollections(in: $0, options: nil) }
      ?? PHCollectionList.fetchTopLevelUserCollections(with: nil)
    var found: PHCollectionList?
    children.enumerateObjects { collection, _, stop in
      if let list = collection as? PHCollectionList, list.localizedTitle == title {
        found = list
        stop.pointee = true
      }
    }
    return found
  }
}
