// Title, caption and keywords have no PhotoKit API. Photos' scripting interface has them: the
// `name`, `description` and `keywords` of a media item, whose id is the asset's local identifier.
// They are set by /usr/bin/osascript running one fixed JavaScript for Automation script, with the
// values as one JSON argument: no value is ever spliced into script text. (NSAppleScript must run on
// the main thread, and the main thread belongs to Deno; a child process has no such rule.)
//
// macOS asks the user once whether the app running photos-sync may control Photos (System
// Settings > Privacy & Security > Automation); a refusal is "automation_denied", before anything is
// written.
import Foundation

enum Scripting {
  /// The scripted fields of one write: nil leaves a field as it is, .some(nil) clears it.
  struct Text: Sendable {
    var title: String??
    var caption: String??
    var keywords: [String]?

    var isEmpty: Bool { title == nil && caption == nil && keywords == nil }

    /// The fields present, as the script reads them (null clears).
    var json: [String: Any] {
      var values: [String: Any] = [:]
      if let title { values["title"] = orNull(title) }
      if let caption { values["caption"] = orNull(caption) }
      if let keywords { values["keywords"] = keywords }
      return values
    }

    private func orNull(_ text: String?) -> Any {
      if let text { return text }
      return NSNull()
    }
  }

  /// Sets the fields of `text` on the media item; returns those fields as they were before, for
  /// putting them back. The script puts back what it set itself when a later field fails.
  static func set(_ text: Text, on localIdentifier: String) throws -> Text {
    let request: [String: Any] = ["id": localIdentifier, "set": text.json]
    let data = try JSONSerialization.data(withJSONObject: request)
    let answer = try run(String(decoding: data, as: UTF8.self))
    guard let before = try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any] else {
      throw BridgeError(.internal, "Photos' scripting interface answered something unexpected: \(answer.prefix(200))")
    }
    var old = Text()
    if text.title != nil { old.title = .some(before["title"] as? String) }
    if text.caption != nil { old.caption = .some(before["caption"] as? String) }
    if text.keywords != nil { old.keywords = before["keywords"] as? [String] ?? [] }
    return old
  }

  /// Asks for the Automation permission (macOS prompts once) by talking to Photos without
  /// touching any item, so that a refusal comes before anything is created.
  static func probe() throws {
    _ = try run(#"{"probe":true}"#)
  }

  /// The script: answers a probe with nothing; otherwise reads the item's fields, sets the requested ones (putting back what it had set
  /// when one fails) and prints the old values as JSON.
  static let script = """
    function run(argv) {
      const request = JSON.parse(argv[0]);
      if (request.probe) {
        Application("Photos").name();
        return "{}";
      }
      const item = Application("Photos").mediaItems.byId(request.id);
      const text = (value) => (value === null || value === undefined || value === "" ? null : value);
      const before = { title: text(item.name()), caption: text(item.description()), keywords: item.keywords() || [] };
      const apply = (values, keys) => {
        for (const key of keys) {
          if (key === "title") item.name = values.title === null ? "" : values.title;
          if (key === "caption") item.description = values.caption === null ? "" : values.caption;
          if (key === "keywords") item.keywords = values.keywords.length === 0 ? null : values.keywords;
        }
      };
      const keys = Object.keys(request.set);
      const done = [];
      try {
        for (const key of keys) {
          apply(request.set, [key]);
          done.push(key);
        }
      } catch (error) {
        apply(before, done);
        throw error;
      }
      return JSON.stringify(before);
    }
    """

  private static func run(_ argument: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/osascript")
    process.arguments = ["-l", "JavaScript", "-e", script, argument]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    do {
      try process.run()
    } catch {
      throw BridgeError(.internal, "cannot run /usr/bin/osascript to write into Photos: \(error)")
    }
    // The answer and any message are small; stderr is read after stdout closes.
    let answer = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw failure(message) }
    return answer.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// osascript's message, by the Apple Event error number in it.
  static func failure(_ message: String) -> BridgeError {
    let text = message.trimmingCharacters(in: .whitespacesAndNewlines)
    if text.contains("-1743") {
      return BridgeError(
        .automationDenied,
        "writing title, caption or keywords needs permission to control Photos, which was refused. Allow it "
          + "for the app that runs photos-sync (e.g. Terminal) in System Settings > Privacy & Security > "
          + "Automation > Photos, then run again; nothing was written (\(text))")
    }
    if text.contains("-1728") {
      return BridgeError(.notFound, "Photos' scripting interface has no such media item (\(text))")
    }
    if text.contains("-1712") {
      return BridgeError(.timeout, "Photos did not answer in time; nothing was written (\(text))")
    }
    if text.contains("-600") || text.contains("-609") {
      return BridgeError(.libraryUnavailable, "Photos is not running or quit meanwhile (\(text))")
    }
    return BridgeError(.internal, "Photos' scripting interface failed: \(text)")
  }
}
