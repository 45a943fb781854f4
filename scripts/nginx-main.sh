# Sourced by proxy-test.sh and load.sh: writes the main nginx configuration of a private nginx
# (its pid, logs and temporary files under WORK, run as this user) around WORK/site.conf, the
# site under test.
#   nginx_main_conf WORK ACCESS_LOG WORKER_CONNECTIONS   (ACCESS_LOG: a path, or off)
nginx_main_conf() {
  local work=$1 access=$2 connections=$3
  mkdir -p "$work/tmp"
  {
    # As root, nginx's workers would otherwise run as nobody and could not read WORK.
    [ "$(id -u)" = 0 ] && echo "user root;"
    cat <<CONF
pid $work/nginx.pid;
error_log $work/nginx-error.log;
worker_processes 1;
events { worker_connections $connections; }
http {
    access_log $access;
    client_body_temp_path $work/tmp/body;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    include $work/site.conf;
}
CONF
  } >"$work/nginx.conf"
}
