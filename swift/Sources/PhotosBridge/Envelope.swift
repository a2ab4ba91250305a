// The plumbing every exported call shares: decoding a JSON request from a C string, encoding the
// {"ok":…} envelope into a malloc'd C string, counting what the caller still has to release, and a
// lock that Swift 6's strict concurrency accepts on macOS 13 (Synchronization.Mutex needs 15).
import Foundation

/// A value guarded by a lock. `@unchecked Sendable` is sound because every access goes through
/// `withLock`.
final class Locked<State>: @unchecked Sendable {
  private let lock = NSLock()
  private var state: State

  init(_ state: State) {
    self.state = state
  }

  func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
    lock.lock()
    defer { lock.unlock() }
    return try body(&state)
  }

  var value: State {
    withLock { $0 }
  }

  func set(_ value: State) {
    withLock { $0 = value }
  }
}

/// What the caller holds and must release (see psb_outstanding): strings and open listings.
final class Outstanding: Sendable {
  private let counts = Locked((strings: Int64(0), listings: Int64(0)))

  func stringGiven() { counts.withLock { $0.strings += 1 } }
  func stringReleased() { counts.withLock { $0.strings -= 1 } }
  func listingOpened() { counts.withLock { $0.listings += 1 } }
  func listingClosed() { counts.withLock { $0.listings -= 1 } }
  var total: Int64 { counts.withLock { $0.strings + $0.listings } }
}

let outstanding = Outstanding()

/// Copies `text` into memory from malloc (strdup), which psb_free releases with free.
func giveCString(_ text: String) -> UnsafeMutablePointer<CChar>? {
  guard let pointer = strdup(text) else { return nil }
  outstanding.stringGiven()
  return pointer
}

private struct Success<Result: Encodable>: Encodable {
  let ok = true
  let result: Result
}

private struct Failure: Encodable {
  struct Body: Encodable {
    let code: String
    let message: String
  }

  let ok = false
  let error: Body
}

/// `{"ok":true,"result":…}` for a result; an encoding failure becomes an "internal" error envelope.
func successEnvelope<Result: Encodable>(_ result: Result) -> String {
  do {
    let data = try JSONEncoder().encode(Success(result: result))
    return String(decoding: data, as: UTF8.self)
  } catch {
    return failureEnvelope(BridgeError(.internal, "cannot encode the answer: \(error)"))
  }
}

/// `{"ok":false,"error":{"code":…,"message":…}}`.
func failureEnvelope(_ error: BridgeError) -> String {
  let failure = Failure(error: .init(code: error.code.rawValue, message: error.message))
  if let data = try? JSONEncoder().encode(failure) {
    return String(decoding: data, as: UTF8.self)
  }
  return "{\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"cannot encode an error\"}}"
}

/// Decodes the request, runs `body`, and answers with the envelope as a C string the caller frees.
/// Runs in an autorelease pool: Deno's worker threads drain none, and PhotoKit autoreleases a lot.
func respond<Request: Decodable, Result: Encodable>(
  _ raw: UnsafePointer<CChar>?,
  as type: Request.Type,
  _ body: (Request) throws -> Result
) -> UnsafeMutablePointer<CChar>? {
  let text: String = autoreleasepool {
    do {
      guard let raw else { throw BridgeError(.badRequest, "the request is a null pointer") }
      let request: Request
      do {
        request = try JSONDecoder().decode(Request.self, from: Data(String(cString: raw).utf8))
      } catch {
        throw BridgeError(.badRequest, "the request does not have the expected shape: \(error)")
      }
      return successEnvelope(try body(request))
    } catch {
      return failureEnvelope(BridgeError.from(error))
    }
  }
  return giveCString(text)
}

/// ISO-8601 in UTC with milliseconds, as JavaScript's Date parses and prints it.
func isoString(_ date: Date?) -> String? {
  date?.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
}

/// "UUID/L0/001" -> "UUID"; a bare UUID stays as it is.
func bareIdentifier(_ identifier: String) -> String {
  identifier.split(separator: "/", maxSplits: 1).first.map(String.init) ?? identifier
}
