/**
 * The image files a dataset folder may hold: what sharp decodes without extra libraries (BMP and
 * iPhone's HEIC are not among them). A GIF gives its first frame.
 */
export const IMAGE_FILE = /\.(png|jpe?g|webp|tiff?|gif|avif)$/i;
/** The same, in words, for messages. */
export const IMAGE_FILE_ENDINGS = '.png, .jpg, .jpeg, .webp, .tif, .tiff, .gif or .avif';
