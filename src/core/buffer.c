/* buffer.c — growable byte buffer; doubling growth keeps appends amortised O(1). */
#include "core/buffer.h"

#include <stdio.h>
#include <string.h>

#include "core/memory.h"
#include "core/status.h"

int buffer_reserve(struct buffer *buffer, size_t additional)
{
    size_t needed = buffer->length + additional + 1;
    if (needed < buffer->length)
        return ASSAY_ERR_NOMEM;
    if (needed <= buffer->capacity)
        return ASSAY_OK;
    size_t capacity = buffer->capacity < 64 ? 64 : buffer->capacity;
    while (capacity < needed)
        capacity *= 2;
    char *data = assay_realloc(buffer->data, capacity);
    if (data == NULL)
        return ASSAY_ERR_NOMEM;
    buffer->data = data;
    buffer->capacity = capacity;
    return ASSAY_OK;
}

int buffer_append(struct buffer *buffer, const void *bytes, size_t length)
{
    int status = buffer_reserve(buffer, length);
    if (status != ASSAY_OK)
        return status;
    if (length > 0)
        memcpy(buffer->data + buffer->length, bytes, length);
    buffer->length += length;
    buffer->data[buffer->length] = '\0';
    return ASSAY_OK;
}

int buffer_append_string(struct buffer *buffer, const char *text)
{
    return buffer_append(buffer, text, strlen(text));
}

int buffer_append_vformat(struct buffer *buffer, const char *format, va_list arguments)
{
    va_list copy;
    va_copy(copy, arguments);
    int needed = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    if (needed < 0)
        return ASSAY_ERR_INVALID;
    int status = buffer_reserve(buffer, (size_t)needed);
    if (status != ASSAY_OK)
        return status;
    vsnprintf(buffer->data + buffer->length, (size_t)needed + 1, format, arguments);
    buffer->length += (size_t)needed;
    return ASSAY_OK;
}

int buffer_append_format(struct buffer *buffer, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int status = buffer_append_vformat(buffer, format, arguments);
    va_end(arguments);
    return status;
}

void buffer_consume(struct buffer *buffer, size_t count)
{
    if (count >= buffer->length) {
        buffer->length = 0;
    } else {
        memmove(buffer->data, buffer->data + count, buffer->length - count);
        buffer->length -= count;
    }
    if (buffer->data != NULL)
        buffer->data[buffer->length] = '\0';
}

void buffer_reset(struct buffer *buffer)
{
    buffer->length = 0;
    if (buffer->data != NULL)
        buffer->data[0] = '\0';
}

char *buffer_detach(struct buffer *buffer)
{
    char *data = buffer->data;
    if (data == NULL)
        data = assay_strdup("");
    buffer->data = NULL;
    buffer->length = buffer->capacity = 0;
    return data;
}

void buffer_free(struct buffer *buffer)
{
    if (buffer == NULL)
        return;
    assay_free(buffer->data);
    buffer->data = NULL;
    buffer->length = buffer->capacity = 0;
}

int buffer_append_csv_field(struct buffer *buffer, const char *text)
{
    if (text == NULL)
        return ASSAY_OK;
    if (strpbrk(text, ",\"\r\n") == NULL)
        return buffer_append_string(buffer, text);
    int status = buffer_append(buffer, "\"", 1);
    for (const char *cursor = text; status == ASSAY_OK && *cursor != '\0'; cursor++)
        status = *cursor == '"' ? buffer_append(buffer, "\"\"", 2) : buffer_append(buffer, cursor, 1);
    return status == ASSAY_OK ? buffer_append(buffer, "\"", 1) : status;
}
