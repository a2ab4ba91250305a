// The error codes of photos_bridge.h and the translation of PhotoKit's and Foundation's errors into
// them. photos-sync maps each code to its own error class (plugins/source/photokit/ffi.ts).
@preconcurrency import Photos
import Foundation

enum ErrorCode: String, Sendable, CaseIterable {
  case badRequest = "bad_request"
  case notAuthorized = "not_authorized"
  case notFound = "not_found"
  case networkRequired = "network_required"
  case network
  case timeout
  case cancelled
  case exists
  case io
  case noSpace = "no_space"
  case libraryUnavailable = "library_unavailable"
  case declined
  case automationDenied = "automation_denied"
  case unsupported
  case `internal`
}

struct BridgeError: Error, Sendable {
  let code: ErrorCode
  let message: String

  init(_ code: ErrorCode, _ message: String) {
    self.code = code
    self.message = message
  }

  /// Where a user's "Don't Allow" in a dialog means "declined" (changes) rather than "cancelled"
  /// (a data request we cancelled ourselves).
  enum Context: Sendable {
    case fetching
    case changing
  }

  /// Translates any error; `what` names the object for the message.
  static func from(_ error: Error, context: Context = .fetching, what: String = "") -> BridgeError {
    if let bridgeError = error as? BridgeError { return bridgeError }
    let nsError = error as NSError
    let prefix = what.isEmpty ? "" : "\(what): "
    let message = "\(prefix)\(nsError.localizedDescription) (\(nsError.domain) \(nsError.code))"
    if nsError.domain == PHPhotosError.errorDomain, let code = PHPhotosError.Code(rawValue: nsError.code) {
      return BridgeError(photosCode(code, context: context), message)
    }
    if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileWriteOutOfSpaceError {
      return BridgeError(.noSpace, message)
    }
    if nsError.domain == NSPOSIXErrorDomain, nsError.code == Int(ENOSPC) {
      return BridgeError(.noSpace, message)
    }
    if nsError.domain == NSCocoaErrorDomain || nsError.domain == NSPOSIXErrorDomain {
      return BridgeError(.io, message)
    }
    return BridgeError(.internal, message)
  }

  private static func photosCode(_ code: PHPhotosError.Code, context: Context) -> ErrorCode {
    switch code {
    case .accessUserDenied, .accessRestricted:
      return .notAuthorized
    case .networkAccessRequired:
      return .networkRequired
    case .networkError:
      return .network
    case .userCancelled:
      return context == .changing ? .declined : .cancelled
    case .identifierNotFound, .missingResource:
      return .notFound
    case .notEnoughSpace:
      return .noSpace
    case .libraryVolumeOffline, .relinquishingLibraryBundleToWriter, .switchingSystemPhotoLibrary:
      return .libraryUnavailable
    case .changeNotSupported, .requestNotSupportedForAsset, .invalidResource:
      return .unsupported
    default:
      return .internal
    }
  }
}
