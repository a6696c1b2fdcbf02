/* local_agent.c — starting and stopping local agent processes. */
#include "runner/local_agent.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/memory.h"

static long now_ms(void)
{
    struct timespec time_now;
    clock_gettime(CLOCK_MONOTONIC, &time_now);
    return (long)time_now.tv_sec * 1000 + time_now.tv_nsec / 1000000;
}

int local_agent_start(const char *name, char *const *command, long timeout_ms, struct local_agent **out,
                      struct assay_error *error)
{
    *out = NULL;
    char self[PATH_MAX];
    ssize_t self_length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (self_length <= 0)
        return assay_error_set(error, ASSAY_ERR_IO, "cannot find this program's path");
    self[self_length] = '\0';
    size_t count = 0;
    while (command[count] != NULL)
        count++;
    /* argv: the command, then --port 0 so every agent takes a free port */
    char **argv = assay_calloc(count + 3, sizeof *argv);
    if (argv == NULL)
        return ASSAY_ERR_NOMEM;
    for (size_t index = 0; index < count; index++)
        argv[index] = index == 0 && strcmp(command[0], "assay") == 0 ? self : command[index];
    argv[count] = "--port";
    argv[count + 1] = "0";
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) {
        assay_free(argv);
        return assay_error_set(error, ASSAY_ERR_IO, "agent %s: pipe: %s", name, strerror(errno));
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        assay_free(argv);
        return assay_error_set(error, ASSAY_ERR_IO, "agent %s: fork: %s", name, strerror(errno));
    }
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) /* the runner died before prctl took effect */
            _exit(1);
        dup2(pipe_fds[1], STDOUT_FILENO);
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "assay: agent %s: cannot start %s: %s\n", name, argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    assay_free(argv);
    close(pipe_fds[1]);
    struct local_agent *agent = assay_calloc(1, sizeof *agent);
    if (agent == NULL) {
        close(pipe_fds[0]);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return ASSAY_ERR_NOMEM;
    }
    agent->pid = pid;
    char line[512];
    size_t used = 0;
    long deadline = now_ms() + timeout_ms;
    int status = ASSAY_ERR_TIMEOUT;
    while (now_ms() < deadline) {
        struct pollfd poll_fd = {.fd = pipe_fds[0], .events = POLLIN};
        if (poll(&poll_fd, 1, (int)(deadline - now_ms())) <= 0)
            continue;
        ssize_t got = read(pipe_fds[0], line + used, sizeof line - 1 - used);
        if (got <= 0) {
            status = ASSAY_ERR_IO;
            break;
        }
        used += (size_t)got;
        line[used] = '\0';
        char *ready = strstr(line, "READY ");
        char *end = ready != NULL ? strchr(ready, '\n') : NULL;
        if (end != NULL) {
            *end = '\0';
            agent->url = assay_strdup(ready + 6);
            status = agent->url != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
            break;
        }
        if (used == sizeof line - 1)
            used = 0; /* long chatter before READY: keep looking */
    }
    close(pipe_fds[0]);
    if (status != ASSAY_OK) {
        local_agent_stop(agent);
        return assay_error_set(error, status == ASSAY_ERR_IO ? ASSAY_ERR_IO : ASSAY_ERR_TIMEOUT,
                               status == ASSAY_ERR_TIMEOUT ? "agent %s did not come up within %ld ms (no READY line)"
                                                           : "agent %s exited before it was ready",
                               name, timeout_ms);
    }
    *out = agent;
    return ASSAY_OK;
}

void local_agent_stop(struct local_agent *agent)
{
    if (agent == NULL)
        return;
    if (agent->pid > 0) {
        kill(-agent->pid, SIGTERM);
        int waited = 0;
        for (int attempt = 0; attempt < 200 && !waited; attempt++) {
            waited = waitpid(agent->pid, NULL, WNOHANG) == agent->pid;
            if (!waited)
                usleep(10000);
        }
        if (!waited) {
            kill(-agent->pid, SIGKILL);
            waitpid(agent->pid, NULL, 0);
        }
    }
    assay_free(agent->url);
    assay_free(agent);
}
