"""Frame sources: video files now; cameras and image folders with the GUI."""
