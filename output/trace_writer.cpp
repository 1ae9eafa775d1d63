#include "output/trace_writer.hpp"

#include <string>

#include "output/trace_writer_impl.hpp"

namespace citytwin::output {

using h5::ColumnInfo;
using trace_detail::check_length;
using trace_detail::for_each_message_column;

const char* to_string(FailReason reason) {
  switch (reason) {
    case FailReason::None:
      return "none";
    case FailReason::BelowSensitivity:
      return "below_sensitivity";
    case FailReason::Collision:
      return "collision";
    case FailReason::NoDemodulator:
      return "no_demodulator";
    case FailReason::GatewayTransmitting:
      return "gateway_transmitting";
    case FailReason::DutyCycle:
      return "duty_cycle";
    case FailReason::DeviceDead:
      return "device_dead";
    case FailReason::RandomAccess:
      return "random_access";
    case FailReason::GatewayDown:
      return "gateway_down";
    case FailReason::BufferFull:
      return "buffer_full";
    case FailReason::ServerDown:
      return "server_down";
    case FailReason::Jammed:
      return "jammed";
    case FailReason::Blocked:
      return "blocked";
    case FailReason::ServerOverload:
      return "server_overload";
  }
  return "?";
}

void MessageBatch::clear() {
  for_each_message_column([](const ColumnInfo&, auto& column) { column.clear(); }, *this);
}

TraceWriter::TraceWriter(std::string final_path, const RunMeta& meta, bool overwrite, MessageWriting writing)
    : impl_(std::make_unique<Impl>()) {
  Impl& impl = *impl_;
  if ((meta.trace != "full" && meta.trace != "sample" && meta.trace != "summary") || meta.trace_every < 1)
    throw OutputError("trace level '" + meta.trace + "' (every " + std::to_string(meta.trace_every) +
                      "): expected full, sample or summary, every >= 1");
  if (meta.trace_compression > 9)
    throw OutputError("trace compression " + std::to_string(meta.trace_compression) + ": expected 0..9");
  impl.deflate_level = meta.trace_compression;
  impl.keep_none = meta.trace == "summary";
  impl.keep_every = meta.trace == "sample" ? meta.trace_every : 1;
  impl.trace.open(std::move(final_path), meta, overwrite);
  if (writing == MessageWriting::WriterThread) {
    impl.writer_thread = std::make_unique<WriterThread>(
        kWriterQueueChunks, [&impl](const MessageBatch& chunk) { impl.write_chunk(chunk); });
  }
}

TraceWriter::~TraceWriter() {
  Impl& impl = *impl_;
  if (impl.writer_thread) {  // finish() was not called (or failed): the chunks handed over are written first
    try {
      impl.settle();
    } catch (...) {  // the run failed already; the file is as the writer thread's last flush left it
    }
    impl.writer_thread.reset();
  }
  if (impl.trace.finished) return;
  // The run failed (an exception is unwinding the stack, usually): write the rows still buffered if the
  // file is sound, close it with /meta complete = 0, and keep its .partial name.
  if (!impl.trace.broken && !impl.messages_lost) {
    h5::QuietErrors quiet;
    try {
      impl.write_messages(impl.pending, 0, impl.pending.size());
    } catch (const h5::Failure&) {
      impl.trace.broken = true;
    } catch (const OutputError&) {  // no room for them: the file is as the last flush left it
    }
  }
  impl.trace.finished = true;
  impl.close_file();
  impl.trace.release_reservation();
  impl.trace.unlock();
}

void TraceWriter::append_messages(const MessageBatch& batch) {
  const size_t rows = batch.size();
  for_each_message_column([&](const ColumnInfo& info,
                              const auto& column) { check_length(column, rows, "MessageBatch", info.name); },
                          batch);
  if (impl_->writer_thread) {
    impl_->append_in_background(batch);
    return;
  }
  impl_->trace.guarded("write /messages", 0, [&] {
    // /messages exists from the first append on, so that a killed run's .partial has it (empty)
    // before its first full chunk.
    if (!impl_->messages_started) {
      impl_->create_messages(kMessageChunkRows);
      impl_->trace.flush_file();
    }
    impl_->messages_started = true;
    if (impl_->keep_none) return;
    const MessageBatch& rows_kept = impl_->kept_rows(batch);
    impl_->append(rows_kept);
    impl_->messages_appended += rows_kept.size();
  });
}

uint64_t TraceWriter::messages_written() const { return impl_->messages_appended; }

void TraceWriter::finish(bool complete, std::optional<double> simulated_s) {
  Impl& impl = *impl_;
  if (impl.trace.finished) return;
  std::string error;  // the first failure; the file is still closed after it
  auto record = [&](const std::string& message) {
    if (error.empty()) error = message;
  };
  if (impl.writer_thread) {  // its last chunks first (an error it has not reported yet comes first)
    try {
      impl.settle();
    } catch (const std::exception& failure) {
      record(failure.what());
    } catch (...) {
      record("cannot write /messages in '" + impl.trace.partial_path +
             "': unknown error on the writer thread");
    }
    impl.writer_thread.reset();
  }
  impl.trace.finished = true;
  h5::QuietErrors quiet;
  if ((impl.trace.broken || impl.messages_lost) && complete) {
    record("cannot finish '" + impl.trace.partial_path + "' as complete: an earlier write failed");
  }
  if (!impl.trace.broken && !impl.messages_lost) {
    try {
      // A run that recorded no full chunk writes its rows with chunks no larger than the table (the
      // /messages created at the first append has full-size chunks and no rows yet).
      if (impl.messages_started && !impl.message_columns.empty() &&
          impl.message_columns.front().rows() == 0) {
        impl.message_columns.clear();
        impl.messages.reset();
        impl.trace.reserve("write /messages", impl.message_bytes(impl.pending.size()));
        impl.create_messages(std::max<size_t>(impl.pending.size(), 1));
      }
      impl.write_messages(impl.pending, 0, impl.pending.size());
      impl.pending.clear();
      if (simulated_s) h5::write_attribute(impl.trace.meta.get(), "simulated_s", *simulated_s);
      h5::write_attribute(impl.trace.meta.get(), "complete", int32_t{complete ? 1 : 0});
      impl.trace.flush_file();  // so that closing has nothing left to write
    } catch (const h5::Failure& failure) {
      impl.trace.broken = true;
      record(std::string("cannot finish '") + impl.trace.partial_path + "': " + failure.what());
    } catch (const OutputError& failure) {  // no disk space for the last rows: the file is still good
      record(failure.what());
    }
  }
  impl.close_file(record);
  impl.trace.release_reservation();
  if (!error.empty()) {
    impl.trace.unlock();
    throw OutputError(error + "; the trace so far (complete = 0) is kept in '" + impl.trace.partial_path +
                      "'");
  }
  try {
    impl.trace.publish(complete);
  } catch (...) {
    impl.trace.unlock();
    throw;
  }
  impl.trace.unlock();
}

const std::string& TraceWriter::final_path() const { return impl_->trace.final_path; }

const std::string& TraceWriter::path() const { return impl_->trace.path; }

}  // namespace citytwin::output
