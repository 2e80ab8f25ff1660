package pixels

// lesson is the text beside the experiment: paragraphs separated by blank
// lines. It claims no figures: the run's table does.
const lesson = `A blue pixel here is one whose blue channel is at least 50 while green and red are at most 50, as OpenCV's InRange checks it on the BGR frames VideoCapture decodes. Counting them in every frame of a clip is the Python notebook's exercise, and every variant below must arrive at exactly the same total as the plain loop: the table marks each one correct only if it does.

Two kinds of work alternate in that loop: decoding a frame (the codec's work, inside OpenCV, one frame after another because each frame is described as changes to the last) and counting its blue pixels (the frame split into its blue, green and red planes, then a few of OpenCV's vectorised passes over their bytes: faster than one InRange over the three-channel frame, which checks the same rule but combines the channels pixel by pixel). decode-only does the first and skips the second: it is the fastest one decoder can go, and every variant that reads the clip through one decoder is measured against it (vs_decode: 1.0 means "as fast as decoding alone").

goroutine-per-frame is Python's thread per task. In Go a goroutine costs a few kilobytes and a microsecond, so starting 800 of them is nothing; but each holds its decoded frame until it has counted it. When counting keeps up with decoding, few frames wait; when it cannot, they pile up, and memory grows with the video. The table shows the most frames held at once. (That memory belongs to OpenCV, not to Go's heap, so the heap figure does not show it.)

worker-pool is the queue with a fixed number of workers: one reader, a bounded channel, a few reusable frames, counters that hand each frame back when done. errgroup with SetLimit is the same pool as Go's standard answer to Python's ThreadPoolExecutor. Both hold a handful of frames whatever the clip's length. Both are bounded by their one reader: extra counters only wait for it, unless each frame also waits on I/O (set the latency knob and sweep the workers: then more workers than cores pay, as threads do in Python).

Coroutines would not help here: asyncio runs one thing at a time on one core, and counting is CPU work. Goroutines run on every core at once.

parallel-decode attacks the limit itself: it splits the clip into segments and gives each its own decoder, so several cores decode at once, and a decoder that finishes early counts frames for the others. A decoder can only start decoding at a keyframe, so one that seeks elsewhere first decodes the frames from a keyframe before its start (without converting them to BGR, which is cheaper than reading them). The plan weighs that cost: where keyframes are far apart it may cut more segments than there are cores, because segments of unequal length would leave a core idle at the end. And since seeking can land a frame off in some formats, each segment proves where it started (the decoder's own position, and the boundary frame compared with the one the previous segment read). If the proof fails, the run says so and counts with one decoder.

Each run has cores of its own, and the cores knob says how many it uses (GOMAXPROCS, and the CPUs the run is pinned to, since OpenCV decodes in C, outside GOMAXPROCS): try cores=1, and parallel-decode's decoders take turns on one core.`
