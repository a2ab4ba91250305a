// The parts of the bridge that need no Photos access: the envelope and its strings, tokens and
// cancellation, identifiers, error translation. Run on a Mac with `swift test --package-path swift`.
// (The calls that touch PhotoKit are exercised end to end by photos-sync against a real library.)
import Foundation
import Photos
import XCTest

@testable import PhotosBridge

final class BridgeTests: XCTestCase {
  func testABIVersionMatchesTheHeader() {
    XCTAssertEqual(psbAbiVersion(), 3)
  }

  func testAnswersAreReleasedExactlyOnce() throws {
    let before = psbOutstanding()
    let answer = try XCTUnwrap(psbList(nil))
    XCTAssertEqual(psbOutstanding(), before + 1)
    let text = String(cString: answer)
    psbFree(answer)
    XCTAssertEqual(psbOutstanding(), before)
    XCTAssertTrue(text.contains("\"code\":\"bad_request\""), text)
  }

  func testMalformedRequestsAreBadRequests() throws {
    let answer = try XCTUnwrap("{\"ids\": 3}".withCString { psbDelete($0) })
    defer { psbFree(answer) }
    XCTAssertTrue(String(cString: answer).hasPrefix("{\"ok\":false"))
  }

  func testErrorCodesAreThoseOfTheHeader() {
    XCTAssertEqual(
      Set(ErrorCode.allCases.map(\.rawValue)),
      [
        "bad_request", "not_authorized", "not_found", "network_required", "network", "timeout", "cancelled",
        "exists", "io", "no_space", "library_unavailable", "declined", "automation_denied", "unsupported",
        "internal",
      ])
  }

  func testACancelThatOvertakesItsCallEndsTheCallAtOnce() {
    XCTAssertEqual(psbCancel(987_654), 0)
    XCTAssertThrowsError(try calls.run(987_654) { _ in XCTFail("must not run") }) { error in
      XCTAssertEqual((error as? BridgeError)?.code, .cancelled)
    }
    // The early cancel is used up: the token's next call would run.
    XCTAssertNoThrow(try calls.run(987_654) { call in XCTAssertFalse(call.isCancelled) })
  }

  func testACancelFlagsTheRunningCall() throws {
    try calls.run(123_456) { call in
      XCTAssertEqual(psbCancel(123_456), 1)
      XCTAssertTrue(call.isCancelled)
    }
  }

  func testProgressStopsWhenTheGateCloses() {
    let gate = ProgressGate(nil, token: 1)
    gate.report(0, 0.5)  // no callback: nothing happens, nothing crashes
    gate.close()
    gate.report(0, 1)
  }

  func testIdentifiersAreReducedToTheUUID() {
    XCTAssertEqual(bareIdentifier("EC19EA1A-FC91-449C-8925-B13D863E2EDB/L0/001"), "EC19EA1A-FC91-449C-8925-B13D863E2EDB")
    XCTAssertEqual(bareIdentifier("EC19EA1A-FC91-449C-8925-B13D863E2EDB"), "EC19EA1A-FC91-449C-8925-B13D863E2EDB")
  }

  func testPhotoKitErrorsMapToTheirCodes() {
    let denied = NSError(domain: PHPhotosError.errorDomain, code: PHPhotosError.Code.accessUserDenied.rawValue)
    XCTAssertEqual(BridgeError.from(denied).code, .notAuthorized)
    let cloud = NSError(domain: PHPhotosError.errorDomain, code: PHPhotosError.Code.networkAccessRequired.rawValue)
    XCTAssertEqual(BridgeError.from(cloud).code, .networkRequired)
    let cancelled = NSError(domain: PHPhotosError.errorDomain, code: PHPhotosError.Code.userCancelled.rawValue)
    XCTAssertEqual(BridgeError.from(cancelled).code, .cancelled)
    XCTAssertEqual(BridgeError.from(cancelled, context: .changing).code, .declined)
    let full = NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))
    XCTAssertEqual(BridgeError.from(full).code, .noSpace)
  }

  func testDatesAreISO8601UTCWithMilliseconds() {
    XCTAssertEqual(isoString(Date(timeIntervalSince1970: 1_748_269_626.603)), "2025-05-26T14:27:06.603Z")
  }

  func testWriteFieldsTellAbsentFromNullAndNameEveryKey() throws {
    let json = #"{"id":"X","fields":{"title":null,"caption":"Beach","favorite":true,"rating":3}}"#
    let request = try JSONDecoder().decode(Write.Request.self, from: Data(json.utf8))
    XCTAssertEqual(request.fields.names, ["caption", "favorite", "rating", "title"])
    XCTAssertEqual(request.fields.favorite, true)
    XCTAssertEqual(request.fields.title, .some(nil))
    XCTAssertEqual(request.fields.caption, .some("Beach"))
    XCTAssertNil(request.fields.location)
    XCTAssertNil(request.fields.keywords)
    XCTAssertFalse(request.fields.scripted.isEmpty)
    XCTAssertEqual(request.fields.scripted.json["title"] as? NSNull, NSNull())
    XCTAssertEqual(request.fields.scripted.json["caption"] as? String, "Beach")
    XCTAssertNil(request.fields.scripted.json["keywords"])
  }

  func testAnUnknownFieldIsRefusedByNameBeforeAnythingIsWritten() throws {
    let answer = try XCTUnwrap(#"{"id":"X","fields":{"rating":3}}"#.withCString { psbWrite($0) })
    defer { psbFree(answer) }
    let text = String(cString: answer)
    // Without Photos access the call stops at the access check; with it, at the field.
    XCTAssertTrue(text.contains("not_authorized") || (text.contains("unsupported") && text.contains("rating")), text)
  }

  func testScriptingErrorsMapByTheirAppleEventNumber() {
    let denied = Scripting.failure("execution error: Not authorized to send Apple events to Photos. (-1743)")
    XCTAssertEqual(denied.code, .automationDenied)
    XCTAssertTrue(denied.message.contains("Privacy & Security > Automation"))
    XCTAssertTrue(denied.message.contains("nothing was written"))
    XCTAssertEqual(Scripting.failure("Can't get object. (-1728)").code, .notFound)
    XCTAssertEqual(Scripting.failure("AppleEvent timed out. (-1712)").code, .timeout)
    XCTAssertEqual(Scripting.failure("something else").code, .internal)
  }

  func testCreateRequestsDecodeTheirResourcesAndWriteFields() throws {
    let json = #"{"resources":[{"type":"photo","path":"/a.heic"},{"type":"pairedVideo","path":"/a.mov","filename":"A.MOV"}],"fields":{"favorite":true,"title":"T"}}"#
    let request = try JSONDecoder().decode(Create.Request.self, from: Data(json.utf8))
    XCTAssertEqual(request.resources.map(\.type), ["photo", "pairedVideo"])
    XCTAssertNil(request.resources[0].filename)
    XCTAssertEqual(request.resources[1].filename, "A.MOV")
    XCTAssertEqual(request.fields.names, ["favorite", "title"])
    XCTAssertFalse(request.fields.scripted.isEmpty)
    XCTAssertFalse(Create.knownFields.contains("timeZoneOffset"))
  }

  func testEveryCreatableTypeIsAResourceTypeOfTheListing() {
    for (name, type) in Create.types { XCTAssertEqual(Listing.typeName(type), name) }
  }

  func testALookupWithoutIdsIsABadRequest() throws {
    let answer = try XCTUnwrap(#"{"ids":"x"}"#.withCString { psbLookup($0) })
    defer { psbFree(answer) }
    XCTAssertTrue(String(cString: answer).contains("bad_request"))
  }

  func testAnAlbumRequestDecodesItsFolders() throws {
    let json = #"{"title":"Trip","folders":["2025","Summer"]}"#
    let request = try JSONDecoder().decode(Albums.Request.self, from: Data(json.utf8))
    XCTAssertEqual(request.title, "Trip")
    XCTAssertEqual(request.folders, ["2025", "Summer"])
  }

  func testALookupAsksForDescriptionsAndAlbumsOnlyWhenTold() throws {
    let plain = try JSONDecoder().decode(Changes.LookupRequest.self, from: Data(#"{"ids":["A"]}"#.utf8))
    XCTAssertNil(plain.describe)
    XCTAssertNil(plain.albums)
    let full = try JSONDecoder().decode(
      Changes.LookupRequest.self, from: Data(#"{"ids":[],"albums":["B"],"describe":true}"#.utf8))
    XCTAssertEqual(full.describe, true)
    XCTAssertEqual(full.albums, ["B"])
  }
}
