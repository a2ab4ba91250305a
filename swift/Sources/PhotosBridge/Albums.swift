// psb_albums: every user album with the folder path above it, empty ones included.
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

  struct ListRequest: Decodable {}

  struct AlbumJSON: Encodable {
    let localIdentifier: String
    let title: String
    let folders: [String]
  }

  struct ListResult: Encodable {
    let albums: [AlbumJSON]
  }

  static func list() throws -> ListResult {
    try Library.requireAccess()
    var albums: [AlbumJSON] = []
    func visit(_ collections: PHFetchResult<PHCollection>, folders: [String], depth: Int) {
      guard depth < 64 else { return }
      for index in 0..<collections.count {
        let collection = collections.object(at: index)
        if let folder = collection as? PHCollectionList {
          let children = PHCollection.fetchCollections(in: folder, options: nil)
          visit(children, folders: folders + [folder.localizedTitle ?? ""], depth: depth + 1)
        } else if let album = collection as? PHAssetCollection, album.assetCollectionSubtype == .albumRegular {
          albums.append(
            AlbumJSON(localIdentifier: album.localIdentifier, title: album.localizedTitle ?? "", folders: folders))
        }
      }
    }
    visit(PHCollectionList.fetchTopLevelUserCollections(with: nil), folders: [], depth: 0)
    return ListResult(albums: albums)
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
