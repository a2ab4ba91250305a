// Long calls (export, download) by token: psb_cancel finds the running call and flags it, and a
// cancel that overtakes its call (it can: the caller's abort and the call's start race) is kept
// until the call begins. Progress goes through a gate that closes when the call returns, so the
// caller's callback is never invoked after it stopped expecting it.
import CPhotosBridge
import Foundation

/// One running call's cancellation flag.
final class CallState: Sendable {
  private let cancelled = Locked(false)

  func cancel() { cancelled.set(true) }
  var isCancelled: Bool { cancelled.value }
}

final class CallRegistry: Sendable {
  private struct State {
    var running: [UInt64: CallState] = [:]
    /// Cancels that arrived before their call. Tokens are never reused, so an entry whose call
    /// never comes is harmless; the set is emptied when it grows large.
    var early: Set<UInt64> = []
  }

  private let state = Locked(State())

  /// Registers a call; nil when its token was cancelled before it began.
  func begin(_ token: UInt64) -> CallState? {
    state.withLock { state in
      if state.early.remove(token) != nil { return nil }
      let call = CallState()
      state.running[token] = call
      return call
    }
  }

  func end(_ token: UInt64) {
    state.withLock { _ = $0.running.removeValue(forKey: token) }
  }

  /// True when a running call was flagged.
  func cancel(_ token: UInt64) -> Bool {
    state.withLock { state in
      if let call = state.running[token] {
        call.cancel()
        return true
      }
      if state.early.count >= 1024 { state.early.removeAll() }
      state.early.insert(token)
      return false
    }
  }

  /// Runs `body` as the call `token`; a cancelled token answers "cancelled" without running it.
  func run<T>(_ token: UInt64, _ body: (CallState) throws -> T) throws -> T {
    guard token > 0 else { throw BridgeError(.badRequest, "a long call needs a positive token") }
    guard let call = begin(token) else {
      throw BridgeError(.cancelled, "the call was cancelled before it started")
    }
    defer { end(token) }
    return try body(call)
  }
}

let calls = CallRegistry()

/// The caller's progress callback for one call. `report` and `close` take the same lock, so once
/// `close` returned no report is running or will run.
final class ProgressGate: @unchecked Sendable {
  private let lock = NSLock()
  private let callback: psb_progress_fn?
  private let token: UInt64
  private var isOpen = true

  init(_ callback: psb_progress_fn?, token: UInt64) {
    self.callback = callback
    self.token = token
  }

  func report(_ index: Int, _ fraction: Double) {
    lock.lock()
    defer { lock.unlock() }
    guard isOpen, let callback else { return }
    callback(token, UInt32(clamping: index), min(max(fraction, 0), 1))
  }

  func close() {
    lock.lock()
    isOpen = false
    lock.unlock()
  }
}
