/*
 * photos_bridge.h: the C ABI of libPhotosBridge, the PhotoKit helper photos-sync loads through
 * Deno FFI. This file is the single source of truth for that ABI. Three implementations follow it:
 *
 *   swift/Sources/PhotosBridge/Exports.swift          the real one, over PhotoKit (macOS 13+)
 *   plugins/source/photokit/testdata/fixture_bridge.c a test double over a JSON fixture (Linux CI)
 *   plugins/source/photokit/ffi.ts                    the Deno symbol table
 *
 * plugins/source/photokit/ffi_test.ts checks that the three declare exactly these functions.
 * Change anything below in a way an old caller would misread: bump PSB_ABI_VERSION.
 *
 * CONVENTIONS
 *
 * Strings. Requests and responses are UTF-8 JSON in NUL-terminated C strings. Every `char *` a
 * function returns was allocated by the library with malloc and belongs to the caller, who releases
 * it with psb_free exactly once. No function returns a pointer into memory it keeps.
 *
 * Envelope. Every JSON call answers
 *     {"ok":true,"result":{...}}
 * or
 *     {"ok":false,"error":{"code":"<code>","message":"<what happened, for a person>"}}
 * with one of these codes:
 *     bad_request          the request is not valid JSON or lacks a field (a caller bug)
 *     not_authorized       Photos access is not granted (see psb_authorize)
 *     not_found            an asset or resource named in the request does not exist
 *     network_required     the data is only in iCloud and the request did not allow the network
 *     network              the iCloud download failed; trying again later may work
 *     timeout              no data and no progress for timeoutSeconds
 *     cancelled            psb_cancel was called for the call's token
 *     exists               a destination path already exists (the library never overwrites)
 *     io                   reading or writing a file failed
 *     no_space             the disk is full
 *     library_unavailable  the system library is offline, moved or being switched
 *     declined             the user declined the change in the system's confirmation dialog
 *     automation_denied    the user did not let the app running photos-sync control Photos
 *                          (Automation), which writing titles, captions and keywords needs
 *     unsupported          this macOS or this asset does not support the operation
 *     internal             anything else
 *
 * Threads. Every function may be called from any thread, concurrently with any other. The JSON
 * calls may block for a long time (an authorization prompt, a confirmation dialog, an iCloud
 * download), so a caller runs them off its main thread (Deno: `nonblocking: true`).
 *
 * Identifiers. Listings return PhotoKit local identifiers ("<UUID>/L0/001"). Requests accept bare
 * UUIDs (what photos-sync stores) as well as full local identifiers.
 *
 * Tokens. Long calls (export, download) carry a caller-chosen "token": a positive integer below
 * 2^53, unique per call. psb_cancel(token) ends such a call early with code "cancelled".
 *
 * Progress. psb_progress_fn may be called from any thread while the call that received it runs,
 * and never after that call has returned. `index` is the position of the resource in the request
 * (for psb_download: counted across all assets, in request order); `fraction` is 0..1.
 */
#ifndef PHOTOS_BRIDGE_H
#define PHOTOS_BRIDGE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this ABI. photos-sync refuses a library that reports another one. */
#define PSB_ABI_VERSION 4

typedef void (*psb_progress_fn)(uint64_t token, uint32_t index, double fraction);

/* Returns PSB_ABI_VERSION as the library was built. Never blocks. */
int32_t psb_abi_version(void);

/* Releases a string returned by any function of this library. NULL is ignored. */
void psb_free(char *string);

/*
 * What the caller still has to release: strings returned and not yet passed to psb_free, plus
 * listing cursors neither exhausted nor closed. Zero when the caller released everything.
 */
int64_t psb_outstanding(void);

/*
 * Ends the running export or download that carries `token`, which then returns "cancelled".
 * Returns 1 when such a call was running, 0 when none was; a call that starts later with this
 * token returns "cancelled" at once (the cancel may overtake the call it was meant for).
 */
int32_t psb_cancel(uint64_t token);

/*
 * Photos access.
 * request: {"prompt": bool}   prompt: ask the user when they have not decided yet (blocks until
 *                             they answer); otherwise only report.
 * result:  {"status": "authorized" | "limited" | "denied" | "restricted" | "not_determined"}
 */
char *psb_authorize(const char *request);

/*
 * The library's assets, newest first, one page per call.
 * first page: {"limit": n, "includeHidden": bool, "includeAllBursts": bool,
 *              "includeSharedAlbums": bool}
 * next page:  {"cursor": "<from the previous page>", "limit": n}
 * stop early: {"cursor": "<...>", "close": true}     (result: no assets, cursor null)
 * result:     {"assets": [asset...], "cursor": "<next>" | null, "total": n}
 * A null cursor means the listing is complete and its state released. The listing is a snapshot
 * taken by the first call: later changes to the library do not shift its pages.
 *
 * asset: {
 *   "localIdentifier": "<UUID>/L0/001",
 *   "mediaType": "image" | "video" | "audio" | "unknown",
 *   "mediaSubtypes": [names of the PHAssetMediaSubtype members set: "photoPanorama", "photoHDR",
 *                     "photoScreenshot", "photoLive", "photoDepthEffect", "photoAnimation",
 *                     "spatialMedia", "videoStreamed", "videoHighFrameRate", "videoTimelapse",
 *                     "videoScreenRecording", "videoCinematic"],
 *   "sourceTypes": ["userLibrary" | "cloudShared" | "iTunesSynced"...],
 *   "creationDate": "<ISO-8601 UTC>" | null, "modificationDate": "<ISO-8601 UTC>" | null,
 *   "timeZoneOffset": seconds east of UTC | null, "timeZoneName": "<zone name>" | null,
 *   "pixelWidth": n, "pixelHeight": n, "duration": seconds,
 *   "favorite": bool, "hidden": bool,
 *   "burstIdentifier": "<id>" | null, "burstSelectionTypes": ["autoPick" | "userPick"...],
 *   "representsBurst": bool,
 *   "location": {"latitude": x, "longitude": y} | null,
 *   "albums": [{"localIdentifier": "<id>", "title": "<title>", "folders": ["outer", "inner"]}],
 *   "resources": [{"type": "<PHAssetResourceType case name>", "filename": "<originalFilename>",
 *                  "uti": "<uniform type identifier>", "raw": bool, "local": bool | null}]
 * }
 * creationDate, modificationDate, burstIdentifier and location are null or absent when unknown.
 * timeZoneOffset and timeZoneName are the capture zone PhotoKit keeps but does not publish; they are
 * null when this macOS does not answer for them.
 * Resource type names: photo, video, audio, alternatePhoto, fullSizePhoto, fullSizeVideo,
 * adjustmentData, adjustmentBasePhoto, pairedVideo, fullSizePairedVideo, adjustmentBasePairedVideo,
 * adjustmentBaseVideo, photoProxy; a type this list lacks is "unknown:<raw value>".
 * "raw" says the resource's type conforms to public.camera-raw-image. "local" says whether its data
 * is on this Mac (false: only in iCloud); null or absent when PhotoKit does not say.
 */
char *psb_list(const char *request);

/*
 * Writes resources of one asset to files.
 * request: {"token": n, "id": "<UUID>", "allowNetwork": bool, "timeoutSeconds": s,
 *           "resources": [{"types": ["photo", ...], "filename": "<originalFilename>",
 *                          "path": "<absolute destination>"}]}
 * A resource is the asset's resource whose type is one of `types` and whose originalFilename is
 * `filename`; none: "not_found". Each file is written to "<path>.part" and renamed to <path> once
 * complete; on any error no file of this call is left behind. timeoutSeconds limits how long one
 * resource may go without data or progress.
 * result:  {"files": [{"path": "<path>", "size": bytes}]}   (request order)
 */
char *psb_export(const char *request, psb_progress_fn progress);

/*
 * Brings resources from iCloud to this Mac without writing them anywhere (the network is allowed).
 * request: {"token": n, "timeoutSeconds": s,
 *           "assets": [{"id": "<UUID>", "resources": [{"types": [...], "filename": "..."}]}]}
 * result:  {"downloaded": ["<id as given>"...], "notFound": ["<id as given>"...]}
 * The first resource that cannot be fetched ends the call with its error.
 */
char *psb_download(const char *request, psb_progress_fn progress);

/*
 * Writes metadata into one asset (what changed at the destination of a two-way sync).
 * request: {"id": "<UUID>", "fields": {...}}   only the fields to write:
 *   "favorite": bool, "hidden": bool
 *   "creationDate": "<ISO-8601>"               (cannot be cleared)
 *   "timeZoneOffset": seconds east of UTC | null, beside creationDate. PhotoKit cannot set the
 *                    capture zone: a zone other than the asset's known one is "unsupported".
 *   "location": {"latitude": x, "longitude": y} | null        (null clears it)
 *   "albums": ["<album local identifier or UUID>"...]   the user albums the asset ends up in: it
 *                    is added to those it is missing from and removed from the other user albums;
 *                    smart albums and shared albums are never touched.
 *   "title": text | null, "caption": text | null, "keywords": [text...]
 * result:  {"written": ["<field>"...]}   (the request's fields, sorted)
 * favorite, hidden, creationDate, location and albums go in one PhotoKit change, which is atomic.
 * PhotoKit has no API for title, caption and keywords: they are set through Photos' scripting
 * interface (the name, description and keywords of the media item), which needs the user's
 * Automation permission ("automation_denied" without it), before the change; when the change then
 * fails they are put back. A failed call leaves the asset as it was. Errors name the field: one this
 * library cannot write is "unsupported", an album that is missing is "not_found", an album that
 * is not a user album is "unsupported"; nothing is written then.
 */
char *psb_write(const char *request);

/*
 * What changed in the library since a token (PhotoKit's persistent change history, macOS 13).
 * request: {"since": "<"next" of an earlier answer>" | null}
 * result:  {"next": "<token>", "all": bool,
 *           "assets": {"inserted": [id...], "updated": [id...], "deleted": [id...]},
 *           "albums": {"inserted": [id...], "updated": [id...], "deleted": [id...]}}
 * Ids are local identifiers, each listed once per list. "all" is true when the history cannot
 * answer for `since` (null, unreadable, expired, or its details are unavailable): every asset
 * must be taken as changed, and the lists are empty. "next" is taken before the history is read,
 * so a change made during the call is reported again by the next call, never skipped. Assets
 * hidden or moved to Recently Deleted count as updated. Adding an asset to an album or removing
 * it is a change of the album; PhotoKit does not promise it is one of the asset too.
 */
char *psb_history(const char *request);

/*
 * Moves assets to Recently Deleted, all in one change (Photos may ask the user to confirm once).
 * request: {"ids": ["<UUID>"...]}
 * result:  {"deleted": ["<id as given>"...], "notFound": ["<id as given>"...]}
 */
char *psb_delete(const char *request);

/*
 * Creates one asset from the files of one asset and its metadata (a restore, or an import into
 * Photos), in one PhotoKit change with PHAssetCreationRequest. The files are copied into the
 * library, never moved.
 * request: {"resources": [{"type": "<PHAssetResourceType case name>", "path": "<absolute>",
 *                          "filename": "<original filename>" (default: the file's name)}],
 *           "fields": {...}}
 *   resources: one "photo" or "video" (the original), plus what PHAssetCreationRequest takes with it:
 *     "pairedVideo"           the motion video of a Live Photo (with a photo): one Live Photo
 *     "alternatePhoto"        the other half of a RAW+JPEG pair (with a photo)
 *     "adjustmentData"        an edit's adjustment data as Photos writes it, with the render it
 *                             belongs to: "fullSizePhoto" (photo) or "fullSizeVideo" (video)
 *     "adjustmentBasePhoto", "adjustmentBaseVideo", "adjustmentBasePairedVideo"
 *                             the base a multi-step edit starts from, with adjustmentData
 *     "fullSizePairedVideo"   the edited motion video, with pairedVideo and fullSizePhoto
 *   A type twice, or a combination PHAssetCreationRequest does not support, is "unsupported" by
 *   name; a file that cannot be read, "not_found". Photos pairs a Live Photo only when the still and
 *   the video carry the same content identifier (they do as the camera wrote them).
 *   fields: an object (may be empty) of psb_write's fields, each optional: "favorite", "hidden",
 *   "creationDate" (absent: what Photos reads from the file; null is "unsupported"), "location",
 *   "albums" (user albums to put the asset in, checked as psb_write checks them), "title",
 *   "caption", "keywords". "timeZoneOffset" is "unsupported": PhotoKit cannot set the capture zone,
 *   Photos reads it from the file. Title, caption and keywords go through Photos' scripting
 *   interface as in psb_write: the Automation permission is asked for before anything is created
 *   ("automation_denied" without it), and when setting them fails afterwards the new asset is
 *   moved to Recently Deleted again, so a failed call leaves no asset behind. Every check runs
 *   before anything is created; a refused call creates nothing.
 * result:  {"localIdentifier": "<UUID>/L0/001"}
 */
char *psb_create(const char *request);

/*
 * Which assets and albums are in the library, by id, without listing it (assets in Recently
 * Deleted are not: PhotoKit does not show them).
 * request: {"ids": ["<asset UUID or local identifier>"...],
 *           "albums": ["<album UUID or local identifier>"...],         (optional)
 *           "describe": bool}                                         (optional, default false)
 * result:  {"found": ["<id as given>"...], "notFound": ["<id as given>"...],
 *           "assets": [asset...],                                     (with describe)
 *           "albums": {"found": [...], "notFound": [...]}}             (when albums were asked)
 * Lists keep request order. With describe, "assets" has each found asset as psb_list describes it,
 * in the order of "found", but with "albums" empty (album memberships cost a pass over every album).
 * An album is found when it is one of the user's own albums, which can take assets; a smart or
 * shared album is not found.
 */
char *psb_lookup(const char *request);

/*
 * Creates a user album, in its folders (each found by title under the one above it, or created).
 * request: {"title": "<title>", "folders": ["outer", "inner"]}          (folders: optional)
 * result:  {"localIdentifier": "<album local identifier>"}
 * Always a new album, even when one of that title exists: the caller keeps which album it made.
 */
char *psb_create_album(const char *request);

/*
 * Every user album of the library now, empty ones included, with the folder path above it.
 * request: {}
 * result:  {"albums": [{"localIdentifier": "<id>", "title": "<title>", "folders": ["outer", "inner"]}]}
 * Smart albums and shared albums are left out. An album deleted in Photos is absent: this is how
 * the caller tells a deleted album from an emptied one.
 */
char *psb_albums(const char *request);

#ifdef __cplusplus
}
#endif

#endif /* PHOTOS_BRIDGE_H */
