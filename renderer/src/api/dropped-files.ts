/**
 * The files of a drop with their paths inside any dropped folder. A browser hands folders over
 * as FileSystem entries, so they are walked here; the upload keeps the layout (`pets/cat/1.png`).
 */
export async function droppedFiles(transfer: DataTransfer): Promise<{ files: File[]; paths: string[] }> {
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0 || entries.every((entry) => entry.isFile)) {
    const files = [...transfer.files];
    return { files, paths: files.map((f) => f.name) };
  }
  const files: File[] = [];
  const paths: string[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      files.push(file);
      paths.push(entry.fullPath.replace(/^\//, ''));
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns a batch at a time until it returns none.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) if (!child.name.startsWith('.')) await walk(child);
    }
  };
  for (const entry of entries) await walk(entry);
  return { files, paths };
}
