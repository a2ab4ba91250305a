// Every symbol libPhotosBridge exports, and nothing else: the C ABI of
// Sources/CPhotosBridge/include/photos_bridge.h, whose comments are the contract (request and
// result shapes, threads, tokens, who frees what). No other file may use @_cdecl; a test in
// plugins/source/photokit/ffi_test.ts checks that these names match the header and the Deno table.
import CPhotosBridge
import Foundation

@_cdecl("psb_abi_version")
public func psbAbiVersion() -> Int32 {
  Int32(PSB_ABI_VERSION)
}

@_cdecl("psb_free")
public func psbFree(_ string: UnsafeMutablePointer<CChar>?) {
  guard let string else { return }
  free(string)
  outstanding.stringReleased()
}

@_cdecl("psb_outstanding")
public func psbOutstanding() -> Int64 {
  outstanding.total
}

@_cdecl("psb_cancel")
public func psbCancel(_ token: UInt64) -> Int32 {
  calls.cancel(token) ? 1 : 0
}

@_cdecl("psb_authorize")
public func psbAuthorize(_ request: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
  respond(request, as: Library.AuthorizeRequest.self) { Library.authorize($0) }
}

@_cdecl("psb_list")
public func psbList(_ request: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
  respond(request, as: Listing.Request.self) { try Listing.page($0) }
}

@_cdecl("psb_export")
public func psbExport(
  _ request: UnsafePointer<CChar>?, _ progress: psb_progress_fn?
) -> UnsafeMutablePointer<CChar>? {
  respond(request, as: Fetch.ExportRequest.self) {
    try Fetch.export($0, progress: ProgressGate(progress, token: $0.token))
  }
}

@_cdecl("psb_download")
public func psbDownload(
  _ request: UnsafePointer<CChar>?, _ progress: psb_progress_fn?
) -> UnsafeMutablePointer<CChar>? {
  respond(request, as: Fetch.DownloadRequest.self) {
    try Fetch.download($0, progress: ProgressGate(progress, token: $0.token))
  }
}

@_cdecl("psb_write")
public func psbWrite(_ request: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
  respond(request, as: Write.Request.self) { try Write.write($0) }
}

@_cdecl("psb_history")
public func psbHistory(_ request: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
  respond(request, as: History.Request.self) { try History.since($0) }
}

@_cdecl("psb_delete")
public func psbDelete(_ request: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
  respond(request, as: Changes.IdsRequest.self) { try Changes.delete($0) }
}

@_cdecl("psb_create")
public func psbCreate(_ request: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
  respond(request, as: Create.Request.self) { try Create.create($0) }
}

@_cdecl("psb_lookup")
public func psbLookup(_ request: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
  respond(request, as: Changes.LookupRequest.self) { try Changes.lookup($0) }
}

@_cdecl("psb_create_album")
public func psbCreateAlbum(_ request: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
  respond(request, as: Albums.Request.self) { try Albums.create($0) }
}

@_cdecl("psb_albums")
public func psbAlbums(_ request: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
  respond(request, as: Albums.ListRequest.self) { _ in try Albums.list() }
}
