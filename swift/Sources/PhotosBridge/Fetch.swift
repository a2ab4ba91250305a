// psb_export and psb_download: resource data through PHAssetResourceManager.requestData, which
// streams chunks (a 4 GB video never sits in memory) and, unlike writeData(for:toFile:), returns
// a request id that can be cancelled. A resource that delivers neither data nor progress for
// `timeoutSeconds` is cancelled and reported as "timeout"; psb_cancel ends it as "cancelled".
@preconcurrency import Photos
import Foundation

enum Fetch {
  struct Selector: Decodable {
    let types: [String]
    let filename: String
  }

  struct ExportTarget: Decodable {
    let types: [String]
    let filename: String
    let path: String
  }

  struct ExportRequest: Decodable {
    let token: UInt64
    let id: String
    let allowNetwork: Bool?
    let timeoutSeconds: Double?
    let resources: [ExportTarget]
  }

  struct ExportedFile: Encodable {
    let path: String
    let size: Int64
  }

  struct ExportResult: Encodable {
    let files: [ExportedFile]
  }

  struct DownloadAsset: Decodable {
    let id: String
    let resources: [Selector]
  }

  struct DownloadRequest: Decodable {
    let token: UInt64
    let timeoutSeconds: Double?
    let assets: [DownloadAsset]
  }

  struct DownloadResult: Encodable {
    let downloaded: [String]
    let notFound: [String]
  }

  static func export(_ request: ExportRequest, progress: ProgressGate) throws -> ExportResult {
    defer { progress.close() }
    return try calls.run(request.token) { call in
      try Library.requireAccess()
      let asset = try Library.asset(request.id)
      let resources = PHAssetResource.assetResources(for: asset)
      let timeout = timeoutOf(request.timeoutSeconds)
      var written: [ExportedFile] = []
      do {
        for (index, target) in request.resources.enumerated() {
          guard target.path.hasPrefix("/") else {
            throw BridgeError(.badRequest, "export paths must be absolute, got \(target.path)")
          }
          let resource = try find(target.types, target.filename, in: resources, of: request.id)
          let size = try write(
            resource,
            to: target.path,
            allowNetwork: request.allowNetwork == true,
            timeout: timeout,
            call: call,
            onProgress: { progress.report(index, $0) }
          )
          written.append(ExportedFile(path: target.path, size: size))
          progress.report(index, 1)
        }
      } catch {
        // All or nothing: a half-exported asset must not look exported.
        for file in written { try? FileManager.default.removeItem(atPath: file.path) }
        throw error
      }
      return ExportResult(files: written)
    }
  }

  static func download(_ request: DownloadRequest, progress: ProgressGate) throws -> DownloadResult {
    defer { progress.close() }
    return try calls.run(request.token) { call in
      try Library.requireAccess()
      let found = Library.assets(request.assets.map(\.id))
      let timeout = timeoutOf(request.timeoutSeconds)
      var downloaded: [String] = []
      var notFound: [String] = []
      var index = 0
      for wanted in request.assets {
        guard let asset = found[wanted.id] else {
          notFound.append(wanted.id)
          index += wanted.resources.count
          continue
        }
        let resources = PHAssetResource.assetResources(for: asset)
        for selector in wanted.resources {
          let resource = try find(selector.types, selector.filename, in: resources, of: wanted.id)
          let position = index
          // The bytes are read and dropped: what matters is that Photos fetched them from iCloud.
          try stream(
            resource,
            allowNetwork: true,
            timeout: timeout,
            call: call,
            onProgress: { progress.report(position, $0) },
            consume: { _ in }
          )
          progress.report(position, 1)
          index += 1
        }
        downloaded.append(wanted.id)
      }
      return DownloadResult(downloaded: downloaded, notFound: notFound)
    }
  }

  private static func timeoutOf(_ seconds: Double?) -> TimeInterval {
    guard let seconds, seconds > 0 else { return 300 }
    return seconds
  }

  /// The resource whose type is one of `types` and whose original filename is `filename`.
  private static func find(
    _ types: [String], _ filename: String, in resources: [PHAssetResource], of id: String
  ) throws -> PHAssetResource {
    guard
      let resource = resources.first(where: {
        types.contains(Listing.typeName($0.type)) && $0.originalFilename == filename
      })
    else {
      throw BridgeError(.notFound, "asset \(id) has no resource \(filename) of type \(types.joined(separator: "/"))")
    }
    return resource
  }

  /// Writes one resource to `<path>.part`, then renames it to `path`; returns its size.
  private static func write(
    _ resource: PHAssetResource,
    to path: String,
    allowNetwork: Bool,
    timeout: TimeInterval,
    call: CallState,
    onProgress: @escaping @Sendable (Double) -> Void
  ) throws -> Int64 {
    if FileManager.default.fileExists(atPath: path) {
      throw BridgeError(.exists, "\(path) already exists; nothing was overwritten")
    }
    let part = path + ".part"
    let sink = try FileSink(path: part)
    do {
      try stream(
        resource, allowNetwork: allowNetwork, timeout: timeout, call: call,
        onProgress: onProgress, consume: { try sink.write($0) })
      try sink.finish()
      try FileManager.default.moveItem(atPath: part, toPath: path)
      return sink.bytes
    } catch {
      sink.abandon()
      try? FileManager.default.removeItem(atPath: part)
      throw BridgeError.from(error, what: resource.originalFilename)
    }
  }

  /// Streams one resource's bytes into `consume`, returning when all arrived.
  private static func stream(
    _ resource: PHAssetResource,
    allowNetwork: Bool,
    timeout: TimeInterval,
    call: CallState,
    onProgress: @escaping @Sendable (Double) -> Void,
    consume: @escaping @Sendable (Data) throws -> Void
  ) throws {
    let name = resource.originalFilename
    let lastActivity = Locked(Date())
    let consumeFailure = Locked<BridgeError?>(nil)
    let completion = Locked<BridgeError??>(nil)  // .some(nil): finished without error
    let finished = DispatchSemaphore(value: 0)

    let options = PHAssetResourceRequestOptions()
    options.isNetworkAccessAllowed = allowNetwork
    options.progressHandler = { fraction in
      lastActivity.set(Date())
      onProgress(fraction)
    }
    let manager = PHAssetResourceManager.default()
    let requestID = manager.requestData(
      for: resource,
      options: options,
      dataReceivedHandler: { data in
        lastActivity.set(Date())
        // After a failed write, later chunks are dropped; the waiting loop cancels the request.
        guard consumeFailure.value == nil else { return }
        do {
          try consume(data)
        } catch {
          consumeFailure.set(BridgeError.from(error, what: name))
        }
      },
      completionHandler: { error in
        completion.set(.some(error.map { BridgeError.from($0, what: name) }))
        finished.signal()
      }
    )

    // Wake up regularly to notice a cancel, a failed write or a stall.
    var ended: BridgeError?
    while finished.wait(timeout: .now() + .milliseconds(200)) == .timedOut {
      if let failure = consumeFailure.value {
        ended = failure
      } else if call.isCancelled {
        ended = BridgeError(.cancelled, "fetching \(name) was cancelled")
      } else if Date().timeIntervalSince(lastActivity.value) > timeout {
        ended = BridgeError(.timeout, "no data for \(name) in \(Int(timeout)) seconds")
      }
      if ended != nil {
        manager.cancelDataRequest(requestID)
        // Photos answers a cancel with the completion handler; do not wait for it forever.
        _ = finished.wait(timeout: .now() + .seconds(10))
        break
      }
    }
    if let ended { throw ended }
    if let failure = consumeFailure.value { throw failure }
    if case .some(.some(let failure)) = completion.value { throw failure }
  }
}

/// A file being written by PhotoKit's data handler (on its queue) and finished or abandoned by
/// the calling thread; the lock keeps a late chunk from touching a closed handle.
private final class FileSink: @unchecked Sendable {
  private let lock = NSLock()
  private var handle: FileHandle?
  private var written: Int64 = 0

  var bytes: Int64 {
    lock.lock()
    defer { lock.unlock() }
    return written
  }

  init(path: String) throws {
    // O_EXCL: never write into a file that is already there.
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard descriptor >= 0 else {
      throw BridgeError.from(NSError(domain: NSPOSIXErrorDomain, code: Int(errno)), what: path)
    }
    handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
  }

  func write(_ data: Data) throws {
    lock.lock()
    defer { lock.unlock() }
    guard let handle else { return }
    try handle.write(contentsOf: data)
    written += Int64(data.count)
  }

  /// Flushes to disk and closes; a failure here (disk full) fails the export.
  func finish() throws {
    lock.lock()
    defer { lock.unlock() }
    guard let handle else { return }
    self.handle = nil
    try handle.synchronize()
    try handle.close()
  }

  func abandon() {
    lock.lock()
    defer { lock.unlock() }
    try? handle?.close()
    handle = nil
  }
}
