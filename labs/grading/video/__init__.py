"""Building blocks of the video analysis; the public surface is ``labs.grading.video_analysis``."""
