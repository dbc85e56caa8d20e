#!/usr/bin/env bash
# Devstack plugin of Smaug, data protection as a service.
#
# Phases:
#   stack install      install_smaug
#   stack post-config  configure_smaug, create_smaug_accounts, init_smaug
#   stack extra        start_smaug
#   unstack            stop_smaug
#   clean              cleanup_smaug
#
# The defaults it uses are in devstack/settings.

_SMAUG_XTRACE=$(set +o | grep xtrace)
set -o xtrace

SMAUG_SERVICES="smaug-api smaug-protection smaug-operationengine"
SMAUG_BIN_DIR=$(get_python_exec_prefix)

# Helpers
# -------

# Whether smaug-api runs under uWSGI: asked for, and this devstack has the
# helpers to write a uWSGI configuration and its Apache proxy.
function _smaug_uses_uwsgi {
    [[ "$SMAUG_USE_UWSGI" == "True" ]] || return 1
    [[ "${WSGI_MODE:-uwsgi}" == "uwsgi" ]] || return 1
    [[ "$(type -t write_uwsgi_config)" == "function" ]]
}

# Whether this devstack's write_uwsgi_config accepts a Python module path
# (newer releases) rather than only a WSGI script file.
function _smaug_uwsgi_takes_module {
    declare -f write_uwsgi_config | grep -q 'uwsgi module'
}

# Whether uWSGI can import the application object $SMAUG_WSGI_APP names.
function _smaug_wsgi_app_importable {
    local module=${SMAUG_WSGI_APP%%:*} attribute=${SMAUG_WSGI_APP##*:}
    local python=${PYTHON:-python3}
    [[ -x "$SMAUG_BIN_DIR/python3" ]] && python=$SMAUG_BIN_DIR/python3
    $python -c "import $module; $module.$attribute" >/dev/null 2>&1
}

# Whether uWSGI is handed the module path, rather than a script file.
function _smaug_uwsgi_by_module {
    _smaug_uwsgi_takes_module && _smaug_wsgi_app_importable
}

# What uWSGI loads: the application's module path where devstack and the
# code allow it; otherwise the smaug-wsgi script pbr installs or, when
# there is none, a two-line script calling the application factory.
function _smaug_wsgi_target {
    if _smaug_uwsgi_by_module; then
        echo "$SMAUG_WSGI_APP"
    elif [[ -x "$SMAUG_BIN_DIR/smaug-wsgi" ]]; then
        echo "$SMAUG_BIN_DIR/smaug-wsgi"
    else
        echo "$SMAUG_CONF_DIR/smaug-wsgi"
    fi
}

# _smaug_write_wsgi_script - the fallback script of _smaug_wsgi_target
function _smaug_write_wsgi_script {
    cat > "$SMAUG_CONF_DIR/smaug-wsgi" <<EOF
from smaug.wsgi import api
application = api.initialize_application()
EOF
}

# The name devstack gives the Apache site of the uWSGI application.
function _smaug_uwsgi_name {
    if _smaug_uwsgi_by_module; then
        echo "smaug-api"
    else
        echo "smaug-wsgi"
    fi
}

# Base URL of the API, without the version: behind Apache under a path
# with uWSGI, on its own port otherwise.
function _smaug_api_url {
    if _smaug_uses_uwsgi; then
        echo "$SMAUG_API_PROTOCOL://$SMAUG_API_HOST$SMAUG_API_URL_PATH"
    else
        echo "$SMAUG_API_PROTOCOL://$SMAUG_API_HOST:$SMAUG_API_PORT"
    fi
}

# Steps
# -----

# install_smaug - install Smaug and its Python dependencies from $SMAUG_DIR
function install_smaug {
    setup_develop $SMAUG_DIR
    if _smaug_uses_uwsgi && ! command -v uwsgi >/dev/null; then
        install_apache_uwsgi
    fi
}

# _smaug_configure_providers - copy the shipped providers and point every
# file-system bank to a directory under devstack's data directory
function _smaug_configure_providers {
    rm -rf $SMAUG_PROVIDERS_DIR
    cp -r $SMAUG_DIR/etc/smaug/providers.d $SMAUG_PROVIDERS_DIR

    local provider name
    for provider in $SMAUG_PROVIDERS_DIR/*.conf; do
        [[ -f "$provider" ]] || continue
        if grep -q '^\[file_system_bank\]' "$provider"; then
            name=$(basename "$provider" .conf)
            install -d -m 750 "$SMAUG_BANK_PATH/$name"
            iniset "$provider" file_system_bank bank_path "$SMAUG_BANK_PATH/$name"
        fi
    done
    _smaug_configure_openstack_provider
}

# _smaug_configure_openstack_provider - give the OpenStack provider its
# Swift bank (an account of the smaug service user) and enable it, when
# this devstack runs the services it needs
function _smaug_configure_openstack_provider {
    local provider=$SMAUG_PROVIDERS_DIR/openstack.conf
    [[ -f "$provider" ]] || return 0
    local service
    for service in s-proxy c-bak g-api n-api; do
        if ! is_service_enabled $service; then
            echo "Smaug's OpenStack provider stays disabled: no $service"
            return 0
        fi
    done
    iniset "$provider" swift_bank auth_url "$KEYSTONE_SERVICE_URI/v3"
    iniset "$provider" swift_bank username "$SMAUG_SERVICE_USER"
    iniset "$provider" swift_bank password "$SERVICE_PASSWORD"
    iniset "$provider" swift_bank project_name "$SERVICE_PROJECT_NAME"
    iniset "$provider" swift_bank region_name "$REGION_NAME"
    iniset "$provider" provider enabled True
}

# _smaug_configure_service_credentials - [service_credentials]: the smaug
# service user, whose service token keeps the plugins' long operations
# going after the user's token expires
function _smaug_configure_service_credentials {
    iniset $SMAUG_CONF service_credentials auth_type password
    iniset $SMAUG_CONF service_credentials auth_url "$KEYSTONE_SERVICE_URI/v3"
    iniset $SMAUG_CONF service_credentials username "$SMAUG_SERVICE_USER"
    iniset $SMAUG_CONF service_credentials password "$SERVICE_PASSWORD"
    iniset $SMAUG_CONF service_credentials project_name "$SERVICE_PROJECT_NAME"
    iniset $SMAUG_CONF service_credentials user_domain_id default
    iniset $SMAUG_CONF service_credentials project_domain_id default
    iniset $SMAUG_CONF clients region_name "$REGION_NAME"
}

# _smaug_configure_authtoken - the [keystone_authtoken] section, with the
# helper of whichever devstack release this is
function _smaug_configure_authtoken {
    if [[ "$(type -t configure_keystone_authtoken_middleware)" == "function" ]]; then
        configure_keystone_authtoken_middleware $SMAUG_CONF $SMAUG_SERVICE_USER
    else
        configure_auth_token_middleware $SMAUG_CONF $SMAUG_SERVICE_USER \
            $SMAUG_STATE_PATH/keystone-signing
    fi
    iniset $SMAUG_CONF keystone_authtoken service_type $SMAUG_SERVICE_TYPE
}

# configure_smaug - write /etc/smaug: smaug.conf, api-paste.ini, providers.d
# and, with uWSGI, the uWSGI configuration and its Apache site
function configure_smaug {
    sudo install -d -o $STACK_USER -m 755 $SMAUG_CONF_DIR
    install -d -m 750 $SMAUG_STATE_PATH $SMAUG_BANK_PATH

    cp $SMAUG_DIR/etc/smaug/api-paste.ini $SMAUG_API_PASTE_INI
    _smaug_configure_providers

    rm -f $SMAUG_CONF
    iniset $SMAUG_CONF DEFAULT debug $ENABLE_DEBUG_LOG_LEVEL
    iniset $SMAUG_CONF DEFAULT state_path $SMAUG_STATE_PATH
    iniset_rpc_backend smaug $SMAUG_CONF DEFAULT
    iniset $SMAUG_CONF database connection $(database_connection_url smaug)

    iniset $SMAUG_CONF api auth_strategy keystone
    iniset $SMAUG_CONF api api_paste_config $SMAUG_API_PASTE_INI
    iniset $SMAUG_CONF api bind_host ${SERVICE_LISTEN_ADDRESS:-0.0.0.0}
    iniset $SMAUG_CONF api bind_port $SMAUG_API_PORT
    iniset $SMAUG_CONF api threads $SMAUG_API_THREADS
    iniset $SMAUG_CONF api public_endpoint $(_smaug_api_url)

    iniset $SMAUG_CONF protection provider_config_dir $SMAUG_PROVIDERS_DIR
    iniset $SMAUG_CONF protection max_concurrent_operations $SMAUG_MAX_CONCURRENT_OPERATIONS

    iniset $SMAUG_CONF operationengine min_interval $SMAUG_OE_MIN_INTERVAL
    iniset $SMAUG_CONF operationengine min_window_time $SMAUG_OE_MIN_WINDOW_TIME
    iniset $SMAUG_CONF operationengine max_window_time $SMAUG_OE_MAX_WINDOW_TIME

    _smaug_configure_authtoken
    _smaug_configure_service_credentials
    setup_logging $SMAUG_CONF

    if _smaug_uses_uwsgi; then
        local target
        target=$(_smaug_wsgi_target)
        if [[ "$target" == "$SMAUG_CONF_DIR/smaug-wsgi" ]]; then
            _smaug_write_wsgi_script
        fi
        if _smaug_uwsgi_by_module; then
            write_uwsgi_config "$SMAUG_UWSGI_CONF" "$target" \
                "$SMAUG_API_URL_PATH" "" "$(_smaug_uwsgi_name)"
        else
            write_uwsgi_config "$SMAUG_UWSGI_CONF" "$target" \
                "$SMAUG_API_URL_PATH"
        fi
        # The application reads the configuration file this names.
        iniset "$SMAUG_UWSGI_CONF" uwsgi env "SMAUG_CONFIG_FILE=$SMAUG_CONF"
    fi
}

# create_smaug_accounts - the service user (admin and service in the service
# project), the data-protect service and its endpoint
function create_smaug_accounts {
    create_service_user "$SMAUG_SERVICE_USER" "admin"
    # The service role makes Smaug's token a service token, with which the
    # other services accept a user's token that expired during an operation.
    get_or_add_user_project_role service "$SMAUG_SERVICE_USER" \
        "$SERVICE_PROJECT_NAME" "$SERVICE_DOMAIN_NAME" "$SERVICE_DOMAIN_NAME"

    if is_service_enabled smaug-api; then
        local service
        service=$(get_or_create_service "smaug" "$SMAUG_SERVICE_TYPE" \
            "Data protection service")
        get_or_create_endpoint "$service" "$REGION_NAME" \
            "$(_smaug_api_url)/v1/\$(project_id)s"
    fi
}

# init_smaug - create the database and bring its schema up to date
function init_smaug {
    if is_service_enabled $DATABASE_BACKENDS; then
        recreate_database smaug
        $SMAUG_BIN_DIR/smaug-manage --config-file $SMAUG_CONF db sync \
            || die $LINENO "smaug-manage db sync failed"
        $SMAUG_BIN_DIR/smaug-status --config-file $SMAUG_CONF upgrade check \
            || warn $LINENO "smaug-status upgrade check reported a problem"
    fi
}

# start_smaug - start the enabled Smaug services
function start_smaug {
    if is_service_enabled smaug-api; then
        if _smaug_uses_uwsgi; then
            local uwsgi_bin
            uwsgi_bin=$(command -v uwsgi || echo $SMAUG_BIN_DIR/uwsgi)
            run_process smaug-api \
                "$uwsgi_bin --procname-prefix smaug-api --ini $SMAUG_UWSGI_CONF"
        else
            run_process smaug-api \
                "$SMAUG_BIN_DIR/smaug-api --config-file $SMAUG_CONF"
        fi
        echo "Waiting for smaug-api at $(_smaug_api_url)/"
        if ! wait_for_service $SERVICE_TIMEOUT $(_smaug_api_url)/; then
            die $LINENO "smaug-api did not start"
        fi
    fi
    run_process smaug-protection \
        "$SMAUG_BIN_DIR/smaug-protection --config-file $SMAUG_CONF"
    run_process smaug-operationengine \
        "$SMAUG_BIN_DIR/smaug-operationengine --config-file $SMAUG_CONF"
}

# stop_smaug - stop every Smaug service
function stop_smaug {
    local service
    for service in $SMAUG_SERVICES; do
        stop_process $service
    done
}

# cleanup_smaug - remove what configure_smaug and the services left behind
function cleanup_smaug {
    if _smaug_uses_uwsgi; then
        remove_uwsgi_config "$SMAUG_UWSGI_CONF" "$(_smaug_uwsgi_name)"
    fi
    sudo rm -rf $SMAUG_CONF_DIR
    sudo rm -rf $SMAUG_STATE_PATH
}

# Dispatch
# --------

if is_service_enabled $SMAUG_SERVICES; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing Smaug"
        install_smaug
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring Smaug"
        configure_smaug
        create_smaug_accounts
        init_smaug
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting Smaug"
        start_smaug
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_smaug
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_smaug
    fi
fi

$_SMAUG_XTRACE
