/**
 * Hand-built assets for the handler tests that mirror, fact by fact, the notable assets of the real
 * libraries in `../shared/testdata/photoslibraries` (its README lists them): subtypes, edit state,
 * burst picks and every resource with its path in the library and whether it is on disk there.
 * They are what the complete library reader yields for those assets (names included, which follow
 * Photos' export conventions: `IMG_E4394.HEIC` for a render, `IMG_O3582.AAE` for the camera's
 * adjustments), so the handlers are tested on
 * real situations (a Live Photo whose video is missing, a RAW whose CR2 is absent, ...) and, where
 * bytes matter, on the real files.
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Asset, Resource, Subtype } from "../../core/model/asset.ts";

import { LIBRARIES } from "../../tests/shared_data.ts";
export { LIBRARIES };
export const MEDIA_TYPES = join(LIBRARIES, "Test-Media-Types-15.7.2.photoslibrary");
export const CLOUD = join(LIBRARIES, "Test-Cloud-13.1.photoslibrary");
export const T261 = join(LIBRARIES, "Test-26.1.photoslibrary");
/** Whether the shared libraries are on this machine (tests that read their bytes need them). */
export const HAVE_LIBRARIES = existsSync(join(MEDIA_TYPES, "originals"));

interface Spec {
  id: string;
  filename: string;
  kind?: "photo" | "video";
  subtypes?: Subtype[];
  edited?: boolean;
  hidden?: boolean;
  favorite?: boolean;
  liveContentId?: string;
  rawPrimary?: boolean;
  burst?: Asset["burst"];
  resources: Resource[];
}

function asset(spec: Spec): Asset {
  return {
    id: spec.id,
    kind: spec.kind ?? "photo",
    filename: spec.filename,
    captured: { utc: "2025-08-06T22:14:22.332Z", offsetSeconds: -18000 },
    favorite: spec.favorite ?? false,
    hidden: spec.hidden ?? false,
    trashed: false,
    keywords: [],
    albums: [],
    edited: spec.edited ?? false,
    referenced: false,
    subtypes: spec.subtypes ?? [],
    ...(spec.liveContentId ? { liveContentId: spec.liveContentId } : {}),
    ...(spec.rawPrimary !== undefined ? { rawPrimary: spec.rawPrimary } : {}),
    ...(spec.burst ? { burst: spec.burst } : {}),
    resources: spec.resources,
  };
}

/** A resource of `library` at `relative` (e.g. `originals/E/EC19….heic`). */
function file(
  library: string,
  role: Resource["role"],
  relative: string,
  filename: string,
  present: boolean,
): Resource {
  return { role, filename, path: join(library, relative), present };
}

const mt = (role: Resource["role"], relative: string, filename: string, present = true) =>
  file(MEDIA_TYPES, role, relative, filename, present);

const BURST = "D4E4B3D1-0E45-4987-BE12-76D604E25D2C";

/** The 18 assets of Test-Media-Types-15.7.2, by original filename. */
export const mediaTypes = {
  /** Live + Portrait + HDR, with the camera's capture adjustments. */
  IMG_3582: asset({
    id: "EC19EA1A-FC91-449C-8925-B13D863E2EDB",
    filename: "IMG_3582.HEIC",
    subtypes: ["live", "portrait", "hdr"],
    liveContentId: "602FEBB7-6B59-4799-96E6-9C8484D873C7",
    resources: [
      mt("original", "originals/E/EC19EA1A-FC91-449C-8925-B13D863E2EDB.heic", "IMG_3582.HEIC"),
      mt("motion", "originals/E/EC19EA1A-FC91-449C-8925-B13D863E2EDB_3.mov", "IMG_3582.MOV"),
      mt("adjustment", "originals/E/EC19EA1A-FC91-449C-8925-B13D863E2EDB_5.aae", "IMG_O3582.AAE"),
    ],
  }),
  IMG_4580: asset({
    id: "D562F353-7A22-4367-9A7F-153A4D9F149C",
    filename: "IMG_4580.HEIC",
    subtypes: ["live", "hdr"],
    liveContentId: "4E1A1B89-CE70-4FF8-873B-E4470B839314",
    resources: [
      mt("original", "originals/D/D562F353-7A22-4367-9A7F-153A4D9F149C.heic", "IMG_4580.HEIC"),
      mt("motion", "originals/D/D562F353-7A22-4367-9A7F-153A4D9F149C_3.mov", "IMG_4580.MOV"),
    ],
  }),
  /** Spatial + Live + Portrait + HDR; its motion video is missing. */
  IMG_4076: asset({
    id: "CDFC3B62-EDFD-4A49-A80F-00BB7822D0E8",
    filename: "IMG_4076.HEIC",
    subtypes: ["live", "portrait", "hdr", "spatial"],
    liveContentId: "54D2AF67-22B3-4113-8319-21A52585BA3A",
    resources: [
      mt("original", "originals/C/CDFC3B62-EDFD-4A49-A80F-00BB7822D0E8.heic", "IMG_4076.HEIC"),
      mt("motion", "originals/C/CDFC3B62-EDFD-4A49-A80F-00BB7822D0E8_3.mov", "IMG_4076.MOV", false),
    ],
  }),
  /** An edited Live Photo: original pair, edited pair and the edit data. */
  IMG_4394: asset({
    id: "B60C31AC-BE86-42C5-A383-A0A5710B18AE",
    filename: "IMG_4394.HEIC",
    subtypes: ["live", "hdr"],
    edited: true,
    liveContentId: "ED2A2552-C906-486E-9DA5-17DABDF672A7",
    resources: [
      mt("original", "originals/B/B60C31AC-BE86-42C5-A383-A0A5710B18AE.heic", "IMG_4394.HEIC"),
      mt("motion", "originals/B/B60C31AC-BE86-42C5-A383-A0A5710B18AE_3.mov", "IMG_4394.MOV"),
      mt(
        "edited",
        "resources/renders/B/B60C31AC-BE86-42C5-A383-A0A5710B18AE_1_201_a.heic",
        "IMG_E4394.HEIC",
      ),
      mt(
        "edited_motion",
        "resources/renders/B/B60C31AC-BE86-42C5-A383-A0A5710B18AE_2_100_a.mov",
        "IMG_E4394.MOV",
      ),
      mt("adjustment", "resources/renders/B/B60C31AC-BE86-42C5-A383-A0A5710B18AE.plist", "IMG_E4394.plist"),
    ],
  }),
  /** A Live Photo whose still and video are both missing. */
  IMG_4347: asset({
    id: "9CD04458-A18F-4F92-8361-0AE85A72FAFF",
    filename: "IMG_4347.HEIC",
    subtypes: ["live"],
    liveContentId: "E9D731F9-C9D0-4895-810F-6DB9202DB9F1",
    resources: [
      mt("original", "originals/9/9CD04458-A18F-4F92-8361-0AE85A72FAFF.heic", "IMG_4347.HEIC", false),
      mt("motion", "originals/9/9CD04458-A18F-4F92-8361-0AE85A72FAFF_3.mov", "IMG_4347.MOV", false),
    ],
  }),
  /** Portrait + HDR gain map, with the camera's capture adjustments. */
  IMG_5747: asset({
    id: "EA3D27D0-73EF-4E4C-A8D5-B2478568EC38",
    filename: "IMG_5747.HEIC",
    subtypes: ["portrait", "hdr"],
    resources: [
      mt("original", "originals/E/EA3D27D0-73EF-4E4C-A8D5-B2478568EC38.heic", "IMG_5747.HEIC"),
      mt("adjustment", "originals/E/EA3D27D0-73EF-4E4C-A8D5-B2478568EC38_5.aae", "IMG_O5747.AAE"),
    ],
  }),
  /** The probable Cinematic clip: original missing, its camera AAE present. */
  IMG_3932: asset({
    id: "E03F1E85-1658-4363-9E68-CCE12F9B14F2",
    filename: "IMG_3932.MOV",
    kind: "video",
    subtypes: ["cinematic", "hdr"],
    resources: [
      mt("original", "originals/E/E03F1E85-1658-4363-9E68-CCE12F9B14F2.mov", "IMG_3932.MOV", false),
      mt("adjustment", "originals/E/E03F1E85-1658-4363-9E68-CCE12F9B14F2_5.aae", "IMG_O3932.AAE"),
    ],
  }),
  IMG_2226: asset({
    id: "D07B18F1-9D95-4DC8-8F7C-A6AEB77F1534",
    filename: "IMG_2226.HEIC",
    subtypes: ["panorama"],
    resources: [
      mt("original", "originals/D/D07B18F1-9D95-4DC8-8F7C-A6AEB77F1534.heic", "IMG_2226.HEIC", false),
    ],
  }),
  /** Edited slo-mo: only the adjustment plist, no render; original missing. */
  IMG_0905: asset({
    id: "3715655F-9437-4B8E-ADE5-515CD1FD0343",
    filename: "IMG_0905.MOV",
    kind: "video",
    subtypes: ["slomo"],
    edited: true,
    resources: [
      mt("original", "originals/3/3715655F-9437-4B8E-ADE5-515CD1FD0343.mov", "IMG_0905.MOV", false),
      mt("adjustment", "resources/renders/3/3715655F-9437-4B8E-ADE5-515CD1FD0343.plist", "IMG_E0905.plist"),
    ],
  }),
  IMG_3539: asset({
    id: "420451DF-5299-41C1-8B71-83E1598D6F5C",
    filename: "IMG_3539.MOV",
    kind: "video",
    subtypes: ["timelapse"],
    resources: [mt("original", "originals/4/420451DF-5299-41C1-8B71-83E1598D6F5C.mov", "IMG_3539.MOV")],
  }),
  IMG_2908: asset({
    id: "A344F711-313A-4D64-AA6D-108013A43DD4",
    filename: "IMG_2908.PNG",
    subtypes: ["screenshot"],
    resources: [mt("original", "originals/A/A344F711-313A-4D64-AA6D-108013A43DD4.png", "IMG_2908.PNG")],
  }),
  /** Burst: user-selected frame. */
  IMG_0667: asset({
    id: "79D1A1A5-B1EA-41D1-83B1-C71F001E6D49",
    filename: "IMG_0667.JPG",
    subtypes: ["burst"],
    burst: { id: BURST, picked: true, key: false },
    resources: [mt("original", "originals/7/79D1A1A5-B1EA-41D1-83B1-C71F001E6D49.jpeg", "IMG_0667.JPG")],
  }),
  /** Burst: not selected (ZVISIBILITYSTATE 2). */
  IMG_0664: asset({
    id: "D87BFE7E-A479-4ECD-98E8-1A8D06EF607E",
    filename: "IMG_0664.JPG",
    subtypes: ["burst"],
    burst: { id: BURST, picked: false, key: false },
    resources: [mt("original", "originals/D/D87BFE7E-A479-4ECD-98E8-1A8D06EF607E.jpeg", "IMG_0664.JPG")],
  }),
  /** Burst: the key frame (pick type 20 = key + default). */
  IMG_0658: asset({
    id: "BB0F9F05-D186-4D43-9903-A4AD7A1BC8B0",
    filename: "IMG_0658.JPG",
    subtypes: ["burst"],
    burst: { id: BURST, picked: true, key: true },
    resources: [mt("original", "originals/B/BB0F9F05-D186-4D43-9903-A4AD7A1BC8B0.jpeg", "IMG_0658.JPG")],
  }),
  IMG_0675: asset({
    id: "7B85B835-AB73-46B1-8840-6BA63FB2D9DD",
    filename: "IMG_0675.JPG",
    subtypes: ["burst"],
    burst: { id: BURST, picked: false, key: false },
    resources: [mt("original", "originals/7/7B85B835-AB73-46B1-8840-6BA63FB2D9DD.jpeg", "IMG_0675.JPG")],
  }),
  /** RAW+JPEG pair whose CR2 is missing. */
  IMG_1994: asset({
    id: "1AA0EB69-C3B3-44E7-9AA3-275F0347ABD8",
    filename: "IMG_1994.JPG",
    subtypes: ["raw_jpeg"],
    rawPrimary: false,
    resources: [
      mt("original", "originals/1/1AA0EB69-C3B3-44E7-9AA3-275F0347ABD8.jpeg", "IMG_1994.JPG"),
      mt("raw", "originals/1/1AA0EB69-C3B3-44E7-9AA3-275F0347ABD8_4.cr2", "IMG_1994.CR2", false),
    ],
  }),
  IMG_0102: asset({
    id: "5F9BCC2D-D1DF-46D8-8F70-C142B25D3DC3",
    filename: "IMG_0102.HEIC",
    resources: [mt("original", "originals/5/5F9BCC2D-D1DF-46D8-8F70-C142B25D3DC3.heic", "IMG_0102.HEIC")],
  }),
  IMG_7027: asset({
    id: "542D92E9-0318-4A23-A9B0-E328332BD983",
    filename: "IMG_7027.MOV",
    kind: "video",
    resources: [
      mt("original", "originals/5/542D92E9-0318-4A23-A9B0-E328332BD983.mov", "IMG_7027.MOV", false),
    ],
  }),
};

/** Notable assets of the other libraries. */
export const others = {
  /** Test-Cloud-13.1: an edited Live Photo with a JPEG still and JPEG render. */
  IMG_0728: asset({
    id: "0FFBE909-7142-4299-BA6F-9B6E7E8FB338",
    filename: "IMG_0728.JPG",
    subtypes: ["live"],
    edited: true,
    liveContentId: "C3754624-A05F-474D-9F16-E9C47B5F892D",
    resources: [
      file(CLOUD, "original", "originals/0/0FFBE909-7142-4299-BA6F-9B6E7E8FB338.jpeg", "IMG_0728.JPG", true),
      file(CLOUD, "motion", "originals/0/0FFBE909-7142-4299-BA6F-9B6E7E8FB338_3.mov", "IMG_0728.MOV", true),
      file(
        CLOUD,
        "edited",
        "resources/renders/0/0FFBE909-7142-4299-BA6F-9B6E7E8FB338_1_201_a.jpeg",
        "IMG_E0728.JPG",
        true,
      ),
      file(
        CLOUD,
        "edited_motion",
        "resources/renders/0/0FFBE909-7142-4299-BA6F-9B6E7E8FB338_2_100_a.mov",
        "IMG_E0728.MOV",
        true,
      ),
      file(
        CLOUD,
        "adjustment",
        "resources/renders/0/0FFBE909-7142-4299-BA6F-9B6E7E8FB338.plist",
        "IMG_E0728.plist",
        true,
      ),
    ],
  }),
  /** Test-Cloud-13.1: a time-lapse (iCloud Photos). */
  IMG_0029: asset({
    id: "962A553D-E08C-4C4E-94F1-C418CCA10C44",
    filename: "IMG_0029.MOV",
    kind: "video",
    subtypes: ["timelapse"],
    resources: [
      file(CLOUD, "original", "originals/9/962A553D-E08C-4C4E-94F1-C418CCA10C44.mov", "IMG_0029.MOV", true),
    ],
  }),
  /** Test-Cloud-13.1: HDR (ZHDRTYPE 3). */
  IMG_0003: asset({
    id: "A67D1DD2-B304-4F6E-BD3B-2838AD50E878",
    filename: "IMG_0003.JPG",
    subtypes: ["hdr"],
    resources: [
      file(CLOUD, "original", "originals/A/A67D1DD2-B304-4F6E-BD3B-2838AD50E878.jpeg", "IMG_0003.JPG", true),
    ],
  }),
  /** Test-26.1: an edited, favourite JPEG. */
  wedding: asset({
    id: "E9BC5C36-7CD1-40A1-A72B-8B8FAC227D51",
    filename: "wedding.jpg",
    edited: true,
    favorite: true,
    resources: [
      file(T261, "original", "originals/E/E9BC5C36-7CD1-40A1-A72B-8B8FAC227D51.jpeg", "wedding.jpg", true),
      file(
        T261,
        "edited",
        "resources/renders/E/E9BC5C36-7CD1-40A1-A72B-8B8FAC227D51_1_201_a.jpeg",
        "wedding_E.jpg",
        true,
      ),
      file(
        T261,
        "adjustment",
        "resources/renders/E/E9BC5C36-7CD1-40A1-A72B-8B8FAC227D51.plist",
        "wedding_E.plist",
        true,
      ),
    ],
  }),
  /** Test-26.1: RAW+JPEG pair, CR2 missing. */
  IMG_1997: asset({
    id: "4D521201-92AC-43E5-8F7C-59BC41C37A96",
    filename: "IMG_1997.JPG",
    subtypes: ["raw_jpeg"],
    resources: [
      file(T261, "original", "originals/4/4D521201-92AC-43E5-8F7C-59BC41C37A96.jpeg", "IMG_1997.JPG", true),
      file(T261, "raw", "originals/4/4D521201-92AC-43E5-8F7C-59BC41C37A96_4.cr2", "IMG_1997.CR2", false),
    ],
  }),
  /** Test-26.1: a standalone Sony DNG (absent on disk). */
  DSC03584: asset({
    id: "D05A5FE3-15FB-49A1-A15D-AB3DA6F8B068",
    filename: "DSC03584.dng",
    subtypes: ["raw"],
    resources: [
      file(T261, "original", "originals/D/D05A5FE3-15FB-49A1-A15D-AB3DA6F8B068.dng", "DSC03584.dng", false),
    ],
  }),
  /** Test-26.1: hidden, referenced from an offline volume. */
  Pumpkins4: asset({
    id: "A1DD1F98-2ECD-431F-9AC9-5AFEFE2D3A5C",
    filename: "Pumpkins4.jpg",
    hidden: true,
    resources: [{
      role: "original",
      filename: "Pumpkins4.jpg",
      path: "/Volumes/MacBook Mojave/Users/Shared/Pumpkins4.jpg",
      present: false,
    }],
  }),
};

/** A copy of `asset` with its resources replaced by `resources` (for situations no library has). */
export function withResources(base: Asset, resources: Resource[], extra: Partial<Asset> = {}): Asset {
  return { ...structuredClone(base), ...extra, resources };
}
